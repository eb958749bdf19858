#!/usr/bin/env node
// `npm run bench:storage`: D1 bytes per call by table and index (dbstat) after 100,000 varied calls pushed
// through the Worker, how many calls 10 GB holds, GET /stats and GET /calls?callee= latencies at 10k and at
// 100k calls (goal: at most 1.5× from 10k to 100k), and how long a retention sweep takes.
// Options: --calls <n> (default 100000; the first measurement is at a tenth), --keep (keep the temp directory).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { storage } from "./lib/dbstat.ts";
import { pushBatches } from "./lib/load.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { seededRandom } from "./lib/random.ts";
import { type PlatformRecord, recordFactory } from "./lib/records.ts";
import { fmt, median, percentile, ratio } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { type DevWorker, queryLocalD1, startDevWorker } from "./lib/wrangler.ts";

const PUSH_TOKEN = "bench-token";
const ADMIN_TOKEN = "bench-admin-token";
const BATCH = 1000;
const IN_FLIGHT = 4;
const RUNS = 25;
const GOAL_BYTES_PER_CALL = 600;
const GOAL_RATIO = 1.5;
const D1_LIMIT_BYTES = 10_000_000_000;
/** Tasks of the campaign the calls belong to: an operation runs dozens at a time, not one per call. */
const TASKS = 40;

const { values: flags } = parseArgs({ options: { calls: { type: "string" }, keep: { type: "boolean" } } });
const total = Number(flags.calls ?? 100_000);
const log = (line: string) => console.error(line);
const nextRecord = recordFactory({ seed: 11 });
const random = seededRandom(5);
let pushed = 0;
let someCallee = "";
let lastCallTime = 0;

function record(): PlatformRecord {
  const r = nextRecord();
  someCallee ||= String(r.callee);
  const callTime =
    typeof r.callTime === "number" ? r.callTime : Date.parse(`${String(r.callTime).replace(" ", "T")}+08:00`);
  lastCallTime = Math.max(lastCallTime, callTime);
  return { ...r, taskId: 5_000_000 + random.int(0, TASKS - 1) };
}

async function pushUntil(worker: DevWorker, target: number) {
  const result = await pushBatches({
    url: `${worker.url}/push/${PUSH_TOKEN}`,
    pushes: Math.ceil((target - pushed) / BATCH),
    batch: BATCH,
    inFlight: IN_FLIGHT,
    next: record,
  });
  pushed += result.records;
  log(`  ${pushed.toLocaleString("en-US")} calls stored (${fmt(result.recordsPerSecond)} rec/s)`);
}

interface Timing {
  name: string;
  path: string;
  p50: number;
  p90: number;
}

async function time(worker: DevWorker, name: string, path: string, check: (body: unknown) => void): Promise<Timing> {
  const get = async () => {
    const t0 = performance.now();
    const res = await fetch(`${worker.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = await res.json();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    check(body);
    return ms;
  };
  for (let i = 0; i < 3; i++) await get();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await get());
  return { name, path, p50: median(samples), p90: percentile(samples, 90) };
}

/** The Shanghai date of the latest call pushed so far: the day series reads a day full of calls. */
function busiestDay(): string {
  return new Date(lastCallTime + 8 * 3_600_000).toISOString().slice(0, 10);
}

async function timings(worker: DevWorker): Promise<Timing[]> {
  const day = busiestDay();
  const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
  const tail = someCallee.slice(-6);
  const expectCalls = (body: unknown) => {
    const calls = (body as { calls: number }).calls;
    if (calls !== pushed) throw new Error(`/stats counts ${calls} calls, ${pushed} were pushed`);
  };
  return [
    await time(worker, "floor: GET /health (one D1 read)", "/health", () => {}),
    await time(
      worker,
      "GET /stats, all data, day series",
      "/api/v1/stats?since=2026-03-20&until=2026-04-03&interval=day",
      expectCalls,
    ),
    await time(
      worker,
      `GET /stats, one day (${day}), hour series`,
      `/api/v1/stats?since=${day}&until=${next}&interval=hour`,
      () => {},
    ),
    await time(worker, "GET /calls?callee=<last 6 digits>", `/api/v1/calls?callee=${tail}`, (body) => {
      const found = (body as { data: { callee: string }[] }).data;
      if (!found.some((c) => c.callee === someCallee)) throw new Error(`callee ${someCallee} not found by ${tail}`);
    }),
  ];
}

async function sweepTimes(worker: DevWorker, runs: number) {
  const later = Date.now() + 400 * 86_400_000;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(`${worker.url}/cdn-cgi/local/scheduled?cron=*+*+*+*+*&time=${later}`);
    await res.text();
    if (!res.ok) throw new Error(`scheduled: HTTP ${res.status}`);
    times.push(performance.now() - t0);
  }
  return times;
}

async function main() {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-storage-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  log("Starting callrelay under wrangler dev --local…");
  const worker = await startDevWorker(
    {
      name: "callrelay",
      config: "wrangler.toml",
      vars: { PUSH_TOKEN, ADMIN_TOKEN },
      readyPath: "/health",
      devArgs: ["--test-scheduled"],
    },
    workDir,
  );
  const small = Math.round(total / 10);
  log(`Pushing ${small.toLocaleString("en-US")} calls (${BATCH} per push, ${IN_FLIGHT} in flight)…`);
  await pushUntil(worker, small);
  const atSmall = await timings(worker);
  log(`Pushing up to ${total.toLocaleString("en-US")} calls…`);
  await pushUntil(worker, total);
  const atLarge = await timings(worker);
  const objects = await storage(worker);

  const all = objects.reduce((n, o) => n + o.bytes, 0);
  const perCall = (bytes: number) => bytes / pushed;
  const archive = new Set(["push_bodies"]);
  const d1Bytes = objects.filter((o) => !archive.has(o.table)).reduce((n, o) => n + o.bytes, 0);
  const byTable = new Map<string, { table: number; indexes: number }>();
  for (const o of objects) {
    const entry = byTable.get(o.table) ?? { table: 0, indexes: 0 };
    if (o.kind === "index") entry.indexes += o.bytes;
    else entry.table += o.bytes;
    byTable.set(o.table, entry);
  }
  const tableRows = [...byTable.entries()]
    .sort((a, b) => b[1].table + b[1].indexes - (a[1].table + a[1].indexes))
    .map(([name, b]) => [
      name + (archive.has(name) ? " (raw archive)" : ""),
      fmt(perCall(b.table), 4),
      fmt(perCall(b.indexes), 4),
      fmt(perCall(b.table + b.indexes), 4),
    ]);
  const indexRows = objects.filter((o) => o.kind === "index").map((o) => [o.name, o.table, fmt(perCall(o.bytes), 4)]);

  const before = await fetch(`${worker.url}/api/v1/stats?since=2026-03-20&until=2026-04-03&interval=day`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  }).then((r) => r.json() as Promise<{ calls: number }>);
  log("Timing retention sweeps with every call expired…");
  const sweeps = await sweepTimes(worker, 3);
  const left = await queryLocalD1(worker, "SELECT count(*) AS n FROM calls");
  const afterSweeps = await fetch(`${worker.url}/api/v1/stats?since=2026-03-20&until=2026-04-03&interval=day`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  }).then((r) => r.json() as Promise<{ calls: number }>);
  const deletedCalls = pushed - Number(left[0]?.n ?? 0);
  await worker.stop();

  const timingRows = atLarge.map((large, i) => {
    const smallT = atSmall[i] as Timing;
    const r = large.p50 / smallT.p50;
    return [
      smallT.name === large.name ? large.name : `${smallT.name} → ${large.name}`,
      fmt(smallT.p50),
      fmt(smallT.p90),
      fmt(large.p50),
      fmt(large.p90),
      `${ratio(large.p50, smallT.p50)}${i === 0 ? "" : r <= GOAL_RATIO ? " ✓" : " ✗"}`,
    ];
  });
  const sweepMs = median(sweeps);
  const perSweep = deletedCalls / sweeps.length;
  console.log(
    [
      `## bench:storage — ${new Date().toISOString()}`,
      "",
      `Machine: ${machineSummary()}; load after the run: ${loadNow()}`,
      `${pushed.toLocaleString("en-US")} varied calls (bench/lib/records.ts, ${TASKS} tasks) in pushes of ${BATCH}, ${IN_FLIGHT} in flight, under wrangler dev --local.`,
      "",
      `### D1 bytes per call (dbstat, ${pushed.toLocaleString("en-US")} calls)`,
      "",
      markdownTable(["table", "table bytes/call", "index bytes/call", "total bytes/call"], tableRows),
      "",
      markdownTable(["index", "of table", "bytes/call"], indexRows),
      "",
      `All of D1: ${fmt(perCall(all), 4)} bytes per call. Without the raw archive (push_bodies): **${fmt(perCall(d1Bytes), 4)} bytes per call** (goal ≤ ${GOAL_BYTES_PER_CALL} ${perCall(d1Bytes) <= GOAL_BYTES_PER_CALL ? "✓" : "✗"}).`,
      `A 10 GB D1 holds about ${Math.floor(D1_LIMIT_BYTES / perCall(all)).toLocaleString("en-US")} calls at ${fmt(perCall(all), 4)} bytes, ${Math.floor(D1_LIMIT_BYTES / perCall(d1Bytes)).toLocaleString("en-US")} without the raw archive.`,
      "",
      `### Read latency at ${small.toLocaleString("en-US")} and ${pushed.toLocaleString("en-US")} calls (ms, ${RUNS} sequential requests after 3 warm-ups)`,
      "",
      markdownTable(
        [
          "request",
          `p50 @${small / 1000}k`,
          `p90 @${small / 1000}k`,
          `p50 @${pushed / 1000}k`,
          `p90 @${pushed / 1000}k`,
          `p50 ratio (goal ≤ ${GOAL_RATIO}×)`,
        ],
        timingRows,
      ),
      "",
      "### Retention sweep (every call expired: scheduled time 400 days ahead)",
      "",
      `${sweeps.length} sweeps deleted ${deletedCalls.toLocaleString("en-US")} calls (with their raw bodies and push log rows): ${fmt(perSweep)} calls per sweep, median ${fmt(sweepMs)} ms per sweep (${sweeps.map((s) => fmt(s)).join(", ")}). One sweep a minute removes up to ${Math.round(perSweep * 60).toLocaleString("en-US")} calls an hour.`,
      `/stats counted ${before.calls.toLocaleString("en-US")} calls before the sweeps and ${afterSweeps.calls.toLocaleString("en-US")} after (rollups outlive the calls).`,
      "",
      `Total bench time: ${fmt((Date.now() - started) / 1000)} s${flags.keep ? ` (kept ${workDir})` : ""}`,
    ].join("\n"),
  );
}

try {
  await main();
} catch (err) {
  console.error(`\nbench:storage failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
