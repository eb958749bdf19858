import { afterEach, describe, expect, it, vi } from "vitest";
import { adminApp } from "../../src/http/admin/app";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, push, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

async function createSource() {
  const res = await admin("/sources", { body: { name: `src-${crypto.randomUUID()}` } });
  return res.json<{ id: string; token: string }>();
}

const HOUR = 3_600_000;

interface Stats {
  window: { since: string; until: string; timezone: string };
  series: { interval: string; points: { start: string; calls: number; connected: number }[] };
  pushes: number;
  calls: number;
  byIntent: { intentCode: string | null; intent: string | null; count: number }[];
  [key: string]: unknown;
}

async function stats(query: string) {
  const res = await admin(`/stats?${query}`);
  expect(res.status).toBe(200);
  return res.json<Stats>();
}

describe("GET /stats", () => {
  it("counts a known dataset of one source", async () => {
    installReceiver();
    const source = await createSource();
    const [t1, t2] = [Math.floor(Math.random() * 1e9), Math.floor(Math.random() * 1e9) + 1e9];
    const forwarded = await createDestination({
      name: "connected",
      type: "webhook",
      config: { url: hookUrl() },
      sourceIds: [source.id],
      filter: { connected: true },
    });
    const paused = await createDestination({
      name: "task two",
      type: "webhook",
      config: { url: hookUrl() },
      sourceIds: [source.id],
      filter: { taskId: t2 },
      enabled: false,
    });
    const now = Date.now();
    const a = record({
      callTime: now,
      taskId: t1,
      intentCode: "302",
      intent: "Interested",
      callStatusNew: 1,
      callDescription: 1,
    });
    const b = record({
      callTime: now,
      taskId: t1,
      intentCode: "302",
      intent: "Interested",
      callStatusNew: 1,
      callDescription: 1,
    });
    const c = record({
      callTime: now,
      taskId: t1,
      intentCode: "301",
      intent: "Busy",
      callStatusNew: 3,
      callDescription: 8,
    });
    const d = record({
      callTime: now,
      taskId: t2,
      intentCode: "303",
      intent: "Later",
      callStatusNew: 3,
      callDescription: 7,
    });
    const e = record({ callTime: now, taskId: t2, answerTime: "yesterday" });
    const f = record({
      callTime: now,
      taskId: t2,
      intentCode: null,
      intent: null,
      callStatusNew: 2,
      callDescription: 5,
    });

    const started = Date.now();
    expect((await push({ array: [a, b, c, d, e] }, { token: source.token })).status).toBe(200);
    expect((await push("not json", { token: source.token })).status).toBe(400);
    expect((await push({ array: [f, d] }, { token: source.token })).status).toBe(200);
    await waitForStatus(forwarded.id, a.voiceId, "delivered");
    await waitForStatus(forwarded.id, b.voiceId, "delivered");

    const result = await stats(`sourceId=${source.id}`);
    const window = { since: Date.parse(result.window.since), until: Date.parse(result.window.until) };
    expect(window.until - window.since).toBeGreaterThanOrEqual(24 * HOUR);
    expect(window.until - window.since).toBeLessThanOrEqual(25 * HOUR);
    expect(window.since % HOUR).toBe(0);
    expect(window.until).toBeGreaterThanOrEqual(started);
    const byDestination = [
      { destinationId: forwarded.id, name: "connected", status: "delivered", count: 2 },
      { destinationId: paused.id, name: "task two", status: "paused", count: 2 },
    ].sort((x, y) => x.destinationId.localeCompare(y.destinationId));
    expect(result).toEqual({
      window: result.window,
      pushes: 3,
      records: 7,
      rejected: 1,
      calls: 5,
      connected: 2,
      connectRate: 0.4,
      byIntent: [
        { intentCode: "302", intent: "Interested", count: 2 },
        { intentCode: null, intent: null, count: 1 },
        { intentCode: "301", intent: "Busy", count: 1 },
        { intentCode: "303", intent: "Later", count: 1 },
      ],
      byCallDescription: [
        { callDescription: 1, label: "valid_call", count: 2 },
        { callDescription: 5, label: "caller_hung_up", count: 1 },
        { callDescription: 7, label: "callee_unreachable", count: 1 },
        { callDescription: 8, label: "no_answer", count: 1 },
      ],
      byTask: [
        { taskId: t1, count: 3, connected: 2 },
        { taskId: t2, count: 2, connected: 0 },
      ],
      deliveries: byDestination,
      series: { interval: "hour", points: expect.any(Array) },
      storage: expect.objectContaining({ limitBytes: 10_000_000_000 }),
    });
    expect(result.series.points.length).toBe((window.until - window.since) / HOUR);
    expect(result.series.points.at(-1)).toEqual({ start: expect.stringMatching(/\+08:00$/), calls: 5, connected: 2 });

    const [first] = await rows<{ at: number }>(
      "SELECT min(received_at) AS at FROM pushes WHERE source_id = ?",
      source.id,
    );
    const hour = Math.min(first?.at ?? 0, now) - (Math.min(first?.at ?? 0, now) % HOUR);
    const before = await stats(`sourceId=${source.id}&until=${hour}`);
    expect(before).toMatchObject({ pushes: 0, records: 0, calls: 0, connectRate: null, byIntent: [], deliveries: [] });
    expect(before.window).toEqual({
      since: new Date(hour - 24 * HOUR).toISOString(),
      until: new Date(hour).toISOString(),
      timezone: "Asia/Shanghai",
    });
    const from = await stats(`sourceId=${source.id}&since=${new Date(hour).toISOString()}&until=${Date.now() + 1000}`);
    expect(from).toMatchObject({ pushes: 3, records: 7, calls: 5, connected: 2 });
  });

  it("counts only the given source, and everything without one", async () => {
    const source = await createSource();
    const other = await createSource();
    await push(
      { array: [record({ callTime: Date.now() }), record({ callTime: Date.now() })] },
      { token: source.token },
    );
    expect(await stats(`sourceId=${other.id}`)).toMatchObject({ pushes: 0, calls: 0, connectRate: null });
    const all = await stats("");
    expect(all.pushes).toBeGreaterThanOrEqual(1);
    expect(all.calls).toBeGreaterThanOrEqual(2);
  });

  it("keeps the top 50 of each breakdown, by count", async () => {
    const source = await createSource();
    const callTime = Date.now();
    const records = Array.from({ length: 60 }, (_, i) =>
      record({ callTime, intentCode: `c${String(i).padStart(2, "0")}` }),
    );
    records.push(record({ callTime, intentCode: "c59" }), record({ callTime, intentCode: "c59" }));
    await push({ array: records }, { token: source.token });
    const { byIntent } = await stats(`sourceId=${source.id}`);
    expect(byIntent).toHaveLength(50);
    expect(byIntent.map((i) => i.intentCode)).toEqual([
      "c59",
      ...Array.from({ length: 49 }, (_, i) => `c${String(i).padStart(2, "0")}`),
    ]);
  });

  it("documents the stats route", () => {
    const doc = adminApp.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(Object.keys(doc.paths ?? {})).toContain("/stats");
  });
});
