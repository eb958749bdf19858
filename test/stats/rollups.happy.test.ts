import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { recordStorageSize } from "../../src/storage/usage";
import { admin, BASE, push, record, rows } from "../support/worker";

const DAY = 86_400_000;

async function createSource() {
  const res = await admin("/sources", { body: { name: `src-${crypto.randomUUID()}` } });
  return res.json<{ id: string; token: string }>();
}

interface Stats {
  calls: number;
  connected: number;
  byIntent: { intentCode: string | null; count: number }[];
  byTask: { taskId: number | null; count: number; connected: number }[];
  series: { interval: string; points: { start: string; calls: number; connected: number }[] };
  storage: { bytes: number | null; limitBytes: number; percent: number | null };
}

async function stats(query: string) {
  const res = await admin(`/stats?${query}`);
  expect(res.status).toBe(200);
  return res.json<Stats>();
}

async function runCron(bindings: Env, scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

const march26 = "since=2026-03-26&until=2026-03-27";

describe("stats rollups", () => {
  it("move a call's count when a re-push changes it, and never count it twice", async () => {
    const source = await createSource();
    const first = record({ callTime: "2026-03-26 10:00:00", intentCode: "302", callStatusNew: 1, taskId: 7 });
    await push(
      { array: [first, record({ callTime: "2026-03-26 11:00:00", intentCode: "302", callStatusNew: 3, taskId: 7 })] },
      source,
    );
    expect(await stats(`sourceId=${source.id}&${march26}`)).toMatchObject({
      calls: 2,
      connected: 1,
      byIntent: [{ intentCode: "302", count: 2 }],
    });

    await push({ array: [first] }, source);
    await push({ array: [{ ...first, intentCode: "301", callStatusNew: 3, taskId: 8 }] }, source);
    expect(await stats(`sourceId=${source.id}&${march26}`)).toMatchObject({
      calls: 2,
      connected: 0,
      byIntent: [
        { intentCode: "301", count: 1 },
        { intentCode: "302", count: 1 },
      ],
      byTask: [
        { taskId: 7, count: 1, connected: 0 },
        { taskId: 8, count: 1, connected: 0 },
      ],
    });

    await push(
      { array: [{ ...first, intentCode: "301", callStatusNew: 3, taskId: 8, callTime: "2026-03-27 09:00:00" }] },
      source,
    );
    const moved = await stats(`sourceId=${source.id}&since=2026-03-26&until=2026-03-28&interval=day`);
    expect(moved).toMatchObject({ calls: 2 });
    expect(moved.series).toEqual({
      interval: "day",
      points: [
        { start: "2026-03-26T00:00:00+08:00", calls: 1, connected: 0 },
        { start: "2026-03-27T00:00:00+08:00", calls: 1, connected: 0 },
      ],
    });
  });

  it("always equal a recount of the stored calls, whatever is pushed and pushed again", async () => {
    const call = fc.record({
      voice: fc.integer({ min: 0, max: 7 }),
      hour: fc.constantFrom("09", "10", "23"),
      intentCode: fc.constantFrom("302", "303", null),
      callStatusNew: fc.constantFrom(1, 3),
      taskId: fc.constantFrom(7, 8, null),
    });
    const counts = async (source: string) => ({
      calls: await rows(
        `SELECT hour, intent_code AS code, call_status_new AS status, calls, connected FROM call_rollups
         WHERE source_id = ? AND calls != 0 ORDER BY 1, 2, 3`,
        source,
      ),
      tasks: await rows(
        "SELECT hour, task_id AS task, calls, connected FROM task_rollups WHERE source_id = ? AND calls != 0 ORDER BY 1, 2",
        source,
      ),
    });
    const recount = async (source: string) => ({
      calls: await rows(
        `SELECT call_at / 3600000 AS hour, ifnull(intent_code, '') AS code, ifnull(call_status_new, -1) AS status,
           count(*) AS calls, sum(connected) AS connected FROM calls WHERE source_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        source,
      ),
      tasks: await rows(
        `SELECT call_at / 3600000 AS hour, ifnull(task_id, -1) AS task, count(*) AS calls, sum(connected) AS connected
         FROM calls WHERE source_id = ? GROUP BY 1, 2 ORDER BY 1, 2`,
        source,
      ),
    });
    const pushes = fc.array(fc.array(call, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(pushes, async (batches) => {
        const source = await createSource();
        const run = crypto.randomUUID();
        for (const batch of batches) {
          const array = batch.map((c) =>
            record({ ...c, voiceId: `${run}-${c.voice}`, callTime: `2026-03-26 ${c.hour}:15:00` }),
          );
          expect((await push({ array }, source)).status).toBe(200);
        }
        expect(await counts(source.id)).toEqual(await recount(source.id));
      }),
      { numRuns: 15 },
    );
  });

  it("count a call in the local day of its own time, across midnight", async () => {
    const source = await createSource();
    await push(
      {
        array: [
          record({ callTime: "2026-03-25 23:30:00", callStatusNew: 1 }),
          record({ callTime: "2026-03-26 00:30:00", callStatusNew: 3 }),
          record({ callTime: null, submitTime: null, callStatusNew: 3 }),
        ],
      },
      source,
    );
    const shanghai = await stats(`sourceId=${source.id}&since=2026-03-25&until=2026-03-27&interval=day`);
    expect(shanghai.series.points).toEqual([
      { start: "2026-03-25T00:00:00+08:00", calls: 1, connected: 1 },
      { start: "2026-03-26T00:00:00+08:00", calls: 1, connected: 0 },
    ]);
    const utc = await stats(`sourceId=${source.id}&since=2026-03-25&until=2026-03-27&interval=day&timezone=UTC`);
    expect(utc.series.points).toEqual([
      { start: "2026-03-25T00:00:00+00:00", calls: 2, connected: 1 },
      { start: "2026-03-26T00:00:00+00:00", calls: 0, connected: 0 },
    ]);
    const hourly = await stats(`sourceId=${source.id}&since=2026-03-25T23:00&until=2026-03-26T01:00`);
    expect(hourly.series).toEqual({
      interval: "hour",
      points: [
        { start: "2026-03-25T23:00:00+08:00", calls: 1, connected: 1 },
        { start: "2026-03-26T00:00:00+08:00", calls: 1, connected: 0 },
      ],
    });
    // Without callTime or submitTime, a call counts at its arrival.
    expect(await stats(`sourceId=${source.id}`)).toMatchObject({ calls: 1, connected: 0 });
  });

  it("outlive the calls, until STATS_RETENTION_DAYS", async () => {
    const source = await createSource();
    const r = record({ callTime: "2026-03-26 10:00:00", callStatusNew: 1 });
    await push({ array: [r] }, source);
    const before = await stats(`sourceId=${source.id}&${march26}`);
    expect(before).toMatchObject({ calls: 1, connected: 1 });

    await env.DB.prepare("UPDATE calls SET received_at = ? WHERE voice_id = ?")
      .bind(Date.now() - 400 * DAY, r.voiceId)
      .run();
    await runCron(env);
    expect(await rows("SELECT 1 FROM calls WHERE voice_id = ?", r.voiceId)).toEqual([]);
    expect(await stats(`sourceId=${source.id}&${march26}`)).toEqual({ ...before, storage: expect.any(Object) });

    // The call's rollup hour is 02:00–03:00Z on March 26: a window reaching past its start keeps it, a window ending
    // after its end drops it, whatever the time of day the test runs.
    const keep = Math.ceil((Date.now() - Date.parse("2026-03-26T02:00:00Z")) / DAY) + 1;
    await runCron({ ...env, STATS_RETENTION_DAYS: String(keep) });
    expect(await stats(`sourceId=${source.id}&${march26}`)).toMatchObject({ calls: 1 });
    const drop = Math.floor((Date.now() - Date.parse("2026-03-26T03:00:00Z")) / DAY);
    await runCron({ ...env, STATS_RETENTION_DAYS: String(drop) });
    expect(await stats(`sourceId=${source.id}&${march26}`)).toMatchObject({ calls: 0, connected: 0, byIntent: [] });
  });
});

describe("storage watchdog", () => {
  it("shows the size D1 reported after a write, in /health and /stats", async () => {
    const now = Date.now() + 3_600_000;
    await recordStorageSize(env.DB, [{ meta: { size_after: 2_500_000_000 } } as D1Result], now);
    const expected = {
      bytes: 2_500_000_000,
      limitBytes: 10_000_000_000,
      percent: 25,
      measuredAt: new Date(now).toISOString(),
    };
    const health = await (await worker.fetch(new Request(`${BASE}/health`), env, createExecutionContext())).json();
    expect(health).toMatchObject({ ok: true, storage: expected });
    expect((await stats("")).storage).toEqual(expected);
    expect((await stats("")).storage).toEqual(expected);

    await recordStorageSize(env.DB, [{ meta: { size_after: 1 } } as D1Result], now + 1_000);
    expect((await stats("")).storage.bytes).toBe(2_500_000_000);
  });

  it("records the size the retention sweep's batch reports", async () => {
    const at = Date.now() + 7_200_000;
    await runCron(env, at);
    const [row] = await rows<{ bytes: number; measured_at: number }>("SELECT bytes, measured_at FROM storage_usage");
    expect(row?.measured_at).toBe(at);
    expect(row?.bytes).toBeGreaterThan(0);
  });
});
