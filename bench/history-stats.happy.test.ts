// The captured stream rows, written as NDJSON and queried with DuckDB, give the same counts and connect rates as
// GET /stats over the same window, and the cost sums of what was pushed. Runs the relay under `wrangler dev` with a
// capturing stand-in stream (bench/capture-worker), in the node project (DuckDB is a native module).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainCapture, startCaptureRelay } from "./lib/capture-relay.ts";
import { loadCallRows } from "./lib/duckdb-calls.ts";
import { type PlatformRecord, pushBody, recordFactory } from "./lib/records.ts";
import type { DevWorker } from "./lib/wrangler.ts";

const TOKEN = "history-stats-token-0123456789abcdef";
const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 24);
const TASKS = [7001, 7002, 7003];

let workDir = "";
let relay: DevWorker;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "callrelay-history-stats-"));
  relay = await startCaptureRelay(workDir, TOKEN);
}, 240_000);

afterAll(async () => {
  await relay?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function post(records: PlatformRecord[]) {
  const res = await fetch(`${relay.url}/push/${TOKEN}`, { method: "POST", body: pushBody(records) });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Millionths of a decimal string, exactly. */
const micros = (cost: string) => {
  const [whole = "0", fraction = ""] = cost.split(".");
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
};

describe("history rows in DuckDB", () => {
  it("count, connect and cost like GET /stats and the pushes, re-pushes included", { timeout: 240_000 }, async () => {
    const next = recordFactory({ seed: 21, tag: "hist01" });
    let i = 0;
    const make = () => {
      i += 1;
      return {
        ...next(),
        callTime: START + (i % 72) * 3_600_000 + i,
        taskId: TASKS[i % TASKS.length],
        cost: (((i * 37) % 1000) / 1000).toFixed(3),
      } as PlatformRecord;
    };
    const records = Array.from({ length: 600 }, make);
    for (let k = 0; k < records.length; k += 100) await post(records.slice(k, k + 100));
    // Re-reports: a third of the calls again, now connected (or not) with another cost: a second version each.
    const latest = new Map(records.map((r) => [r.voiceId, r]));
    const again = records
      .filter((_, k) => k % 3 === 0)
      .map((r, k) => {
        const connected = k % 2 === 0;
        return { ...r, callStatusNew: connected ? 1 : 3, cost: ((k % 50) / 100).toFixed(2) } as PlatformRecord;
      });
    for (const r of again) latest.set(r.voiceId, r);
    for (let k = 0; k < again.length; k += 100) await post(again.slice(k, k + 100));

    let ndjson = "";
    for (let tries = 0; tries < 50 && ndjson.split("\n").length - 1 < records.length + again.length; tries++) {
      ndjson += (await drainCapture(relay)).ndjson;
      await new Promise((r) => setTimeout(r, 100));
    }
    const file = join(workDir, "calls.ndjson");
    await writeFile(file, ndjson);

    const db = await (await DuckDBInstance.create(":memory:")).connect();
    await loadCallRows(db, "calls", file);
    const versions = await db.runAndReadAll("SELECT count(*) AS n FROM calls");
    expect(Number(versions.getRowObjects()[0]?.n)).toBe(records.length + again.length);
    // The latest version of each call, as D1 holds it and the rollups count it.
    await db.run(`CREATE VIEW latest AS SELECT * FROM calls
      QUALIFY row_number() OVER (PARTITION BY source_id, voice_id ORDER BY version DESC, push_id DESC) = 1`);
    const read = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson();

    const since = new Date(START).toISOString();
    const until = new Date(START + 3 * DAY).toISOString();
    const res = await fetch(`${relay.url}/api/v1/stats?since=${since}&until=${until}&interval=day&timezone=UTC`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const stats = (await res.json()) as {
      calls: number;
      connected: number;
      connectRate: number;
      byTask: { taskId: number; count: number; connected: number }[];
      series: { points: { start: string; calls: number; connected: number }[] };
    };
    const window = `call_at >= ${START} AND call_at < ${START + 3 * DAY}`;
    const [totals] = await read(
      `SELECT count(*) AS calls, count(*) FILTER (WHERE connected) AS connected,
              count(*) FILTER (WHERE connected) / count(*) AS rate FROM latest WHERE ${window}`,
    );
    expect(Number(totals?.calls)).toBe(stats.calls);
    expect(Number(totals?.connected)).toBe(stats.connected);
    expect(Number(totals?.rate)).toBeCloseTo(stats.connectRate, 12);
    expect(stats.calls).toBe(records.length);

    const days = await read(
      `SELECT strftime(make_timestamp(call_at * 1000), '%Y-%m-%d') AS day, count(*) AS calls,
              count(*) FILTER (WHERE connected) AS connected FROM latest WHERE ${window} GROUP BY 1 ORDER BY 1`,
    );
    expect(days.map((d) => [d.day, Number(d.calls), Number(d.connected)])).toEqual(
      stats.series.points.map((p) => [p.start.slice(0, 10), p.calls, p.connected]),
    );
    const tasks = await read(
      `SELECT task_id, count(*) AS count, count(*) FILTER (WHERE connected) AS connected
       FROM latest WHERE ${window} GROUP BY 1 ORDER BY 1`,
    );
    expect(tasks.map((t) => [Number(t.task_id), Number(t.count), Number(t.connected)])).toEqual(
      [...stats.byTask].sort((a, b) => a.taskId - b.taskId).map((t) => [t.taskId, t.count, t.connected]),
    );

    const [cost] = await read(
      `SELECT CAST(sum(CAST(cost AS DECIMAL(18, 6))) * 1000000 AS BIGINT) AS micros FROM latest WHERE ${window}`,
    );
    const pushed = [...latest.values()].reduce((sum, r) => sum + micros(String(r.cost)), 0);
    expect(Number(cost?.micros)).toBe(pushed);
  });
});
