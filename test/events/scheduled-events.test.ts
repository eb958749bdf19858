import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { produceScheduledEvents } from "../../src/pipeline/events/producers";
import { runCron } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, rows } from "../support/worker";

installReceiver();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN = 60_000;

const eventsTo = async (destinationId: string) =>
  (
    await rows<{ type: string; data: string }>(
      `SELECT e.type, e.data FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.destination_id = ? ORDER BY e.created_at, e.rowid`,
      destinationId,
    )
  ).map((e) => ({ type: e.type, data: JSON.parse(e.data) }));

const webhook = (events: string[], options: Record<string, unknown> = {}) =>
  createDestination({ name: "ops", type: "webhook", config: { url: hookUrl() }, events, options });

/** Adds calls to the rollups of the hour starting at `hourStart`, as the triggers would. */
async function rollup(hourStart: number, calls: number, connected: number, intent = "302", taskId = 7) {
  const hour = hourStart / HOUR;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO call_rollups (hour, source_id, intent_code, intent, call_status_new, call_description, calls, connected)
       VALUES (?, 'src_default', ?, 'Interested', 1, 1, ?, ?)
       ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, connected = connected + excluded.connected`,
    ).bind(hour, intent, calls, connected),
    env.DB.prepare(
      `INSERT INTO task_rollups (hour, source_id, task_id, calls, connected) VALUES (?, 'src_default', ?, ?, ?)
       ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, connected = connected + excluded.connected`,
    ).bind(hour, taskId, calls, connected),
  ]);
}

describe("storage.high", () => {
  it("once per threshold per day, never twice when runs overlap", async () => {
    const dst = await webhook(["storage.high"]);
    await env.DB.prepare(
      "INSERT INTO storage_usage (id, bytes, measured_at) VALUES (1, 850, 0) ON CONFLICT DO UPDATE SET bytes = 850",
    ).run();
    const bindings = { ...env, D1_LIMIT_BYTES: "1000" };
    const day = Date.UTC(2031, 0, 5, 10);
    await Promise.all([produceScheduledEvents(bindings, day), produceScheduledEvents(bindings, day + MIN)]);
    expect(await eventsTo(dst.id)).toEqual([
      { type: "storage.high", data: { bytes: 850, limitBytes: 1000, percent: 85, threshold: 80 } },
    ]);
    await env.DB.prepare("UPDATE storage_usage SET bytes = 920").run();
    await produceScheduledEvents(bindings, day + 2 * MIN);
    await produceScheduledEvents(bindings, day + 3 * MIN);
    expect((await eventsTo(dst.id)).map((e) => e.data.threshold)).toEqual([80, 90]);
    await produceScheduledEvents(bindings, day + DAY);
    expect((await eventsTo(dst.id)).map((e) => e.data.threshold)).toEqual([80, 90, 90]);
    await produceScheduledEvents({ ...env, D1_LIMIT_BYTES: String(10 ** 10) }, day + 2 * DAY);
    expect(await eventsTo(dst.id)).toHaveLength(3);
  });
});

describe("connect_rate.dropped", () => {
  it("when the hour's rate is below dropRatio of the same hour's 7-day average, with 50 calls, once", async () => {
    const dst = await webhook(["connect_rate.dropped"], { dropRatio: 0.5 });
    const end = Date.UTC(2032, 4, 10, 14);
    for (let day = 1; day <= 7; day++) await rollup(end - HOUR - day * DAY, 100, 80);
    await rollup(end - HOUR, 100, 30);
    await runCron(end + 2 * MIN);
    expect(await eventsTo(dst.id)).toEqual([]);
    await Promise.all([runCron(end + 6 * MIN), runCron(end + 6 * MIN), runCron(end + 7 * MIN)]);
    expect(await eventsTo(dst.id)).toEqual([
      {
        type: "connect_rate.dropped",
        data: {
          hour: { start: new Date(end - HOUR).toISOString(), end: new Date(end).toISOString() },
          calls: 100,
          connected: 30,
          rate: 0.3,
          averageRate: 0.8,
          dropRatio: 0.5,
        },
      },
    ]);
    // The next hour: 45 calls are too few to judge; then a rate above half the average is no drop.
    await rollup(end, 45, 0);
    for (let day = 1; day <= 7; day++) await rollup(end - day * DAY, 100, 80);
    await runCron(end + HOUR + 6 * MIN);
    await rollup(end + HOUR, 100, 41);
    for (let day = 1; day <= 7; day++) await rollup(end + HOUR - day * DAY, 100, 80);
    await runCron(end + 2 * HOUR + 6 * MIN);
    expect(await eventsTo(dst.id)).toHaveLength(1);
  });
});

describe("digests", () => {
  it("digest.daily at digestAt in the destination's time zone and digest.hourly each hour, from the rollups", async () => {
    const dst = await webhook(["digest.daily", "digest.hourly"], { timezone: "Asia/Shanghai", digestAt: "09:00" });
    // 09:00 in Shanghai is 01:00 UTC.
    const at = Date.UTC(2033, 2, 2, 1);
    await rollup(at - HOUR, 40, 10, "302", 7);
    await rollup(at - 3 * HOUR, 20, 15, "303", 8);
    await rollup(at - DAY - 2 * HOUR, 30, 3, "302", 7);
    await runCron(at - MIN);
    const before = await eventsTo(dst.id);
    await Promise.all([runCron(at + 30_000), runCron(at + 30_000), runCron(at + MIN)]);
    const produced = (await eventsTo(dst.id)).slice(before.length);
    expect(produced.map((e) => e.type).sort()).toEqual(["digest.daily", "digest.hourly"]);
    const daily = produced.find((e) => e.type === "digest.daily")?.data;
    expect(daily).toMatchObject({
      period: { start: new Date(at - DAY).toISOString(), end: new Date(at).toISOString(), timezone: "Asia/Shanghai" },
      calls: 60,
      connected: 25,
      previous: { calls: 30, connected: 3, connectRate: 0.1 },
      topIntents: [
        { intentCode: "302", intent: "Interested", count: 40 },
        { intentCode: "303", intent: "Interested", count: 20 },
      ],
      byTask: [
        { taskId: 7, calls: 40, connected: 10 },
        { taskId: 8, calls: 20, connected: 15 },
      ],
    });
    expect(daily?.connectRate).toBeCloseTo(25 / 60, 3);
    const hourly = produced.find((e) => e.type === "digest.hourly")?.data;
    expect(hourly).toMatchObject({ calls: 40, connected: 10, connectRate: 0.25 });

    await runCron(at + 20 * MIN);
    expect(await eventsTo(dst.id)).toHaveLength(before.length + 2);
    await runCron(at + HOUR + MIN);
    const later = (await eventsTo(dst.id)).slice(before.length + 2);
    expect(later.map((e) => e.type)).toEqual(["digest.hourly"]);
  });
});
