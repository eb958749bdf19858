import { describe, expect, it, vi } from "vitest";
import { eventsTo, runCron } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, push, record, rows } from "../support/worker";

const MIN = 60_000;

installReceiver();

const webhook = (events: string[], options: Record<string, unknown> = {}) =>
  createDestination({
    name: `events ${events.join(",")}`,
    type: "webhook",
    config: { url: hookUrl() },
    events,
    options,
  });

describe("events produced by pushes", () => {
  it("records.rejected: the first at once, the rest of 15 minutes held and then sent with their count", async () => {
    const dst = await webhook(["records.rejected"]);
    const calls = await webhook(["call.reported"]);
    const start = Date.now();
    expect((await push({ array: [record(), { voiceId: 1, callTime: "soon" }, { nope: true }] })).status).toBe(200);
    await vi.waitFor(async () => expect(await eventsTo(dst.id)).toHaveLength(1));
    const [first] = await eventsTo(dst.id);
    expect(first?.type).toBe("records.rejected");
    expect(first?.source_id).toBe("");
    expect(JSON.parse(first?.data ?? "{}")).toMatchObject({ sourceId: "src_default", count: 2 });

    expect((await push({ array: [{ nope: 1 }] })).status).toBe(200);
    await vi.waitFor(async () => {
      const [gate] = await rows<{ pending: number }>(
        "SELECT pending FROM event_gates WHERE key = 'records.rejected:src_default'",
      );
      expect(gate?.pending).toBe(1);
    });
    expect(await eventsTo(dst.id)).toHaveLength(1);

    await runCron(start + 14 * MIN);
    expect(await eventsTo(dst.id)).toHaveLength(1);
    await Promise.all([runCron(start + 16 * MIN), runCron(start + 16 * MIN)]);
    const sent = await eventsTo(dst.id);
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[1]?.data ?? "{}")).toMatchObject({ count: 1 });
    expect(await eventsTo(calls.id)).toEqual([]);
  });

  it("line.balance_announcement when calls have callDescription 10", async () => {
    const dst = await webhook(["call.reported", "line.balance_announcement"]);
    const voiceId = `bal${Date.now()}`;
    await push({ array: [record({ callDescription: 10, voiceId, taskId: 77 }), record({ callDescription: 10 })] });
    await vi.waitFor(async () => expect(await eventsTo(dst.id)).toHaveLength(1));
    const [event] = await eventsTo(dst.id);
    expect(event?.type).toBe("line.balance_announcement");
    expect(JSON.parse(event?.data ?? "{}")).toMatchObject({ sourceId: "src_default", count: 2 });
  });
});

describe("pushes.silent", () => {
  it("fires once per silence, even when cron runs overlap", async () => {
    await push({ array: [record()] });
    const [latest] = await rows<{ at: number }>("SELECT max(received_at) AS at FROM pushes");
    const last = latest?.at ?? 0;
    const dst = await webhook(["pushes.silent"], { silentMinutes: 10 });
    const off = await webhook(["pushes.silent"], { silentMinutes: 10, activeHours: "00:00-00:01" });
    await runCron(last + 9 * MIN);
    expect(await eventsTo(dst.id)).toEqual([]);
    await Promise.all([runCron(last + 10 * MIN), runCron(last + 10 * MIN), runCron(last + 11 * MIN)]);
    const events = await eventsTo(dst.id);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.data ?? "{}")).toEqual({
      sourceIds: [],
      lastPushAt: new Date(last).toISOString(),
      silentSince: new Date(last).toISOString(),
      silentMinutes: 10,
    });
    const [claims] = await rows<{ n: number }>(
      "SELECT count(*) AS n FROM event_claims WHERE key LIKE ?",
      `pushes.silent:${dst.id}:%`,
    );
    expect(claims?.n).toBe(1);
    expect(await eventsTo(off.id)).toEqual([]);
  });
});

describe("destination events and event settings", () => {
  it("defaults events to call.reported and keeps valid settings", async () => {
    const plain = await webhook(["call.reported"]);
    expect((plain as { events?: string[] }).events).toEqual(["call.reported"]);
    const res = await admin("/destinations", {
      body: {
        name: "alerts",
        type: "webhook",
        config: { url: hookUrl() },
        options: { silentMinutes: 45, activeHours: "21:00-06:00", dropRatio: 0.4, digestAt: "08:30" },
      },
    });
    expect(res.status).toBe(201);
    const created = await res.json<{ id: string; events: string[]; options: Record<string, unknown> }>();
    expect(created.events).toEqual(["call.reported"]);
    expect(created.options).toMatchObject({
      silentMinutes: 45,
      activeHours: "21:00-06:00",
      dropRatio: 0.4,
      digestAt: "08:30",
    });
    const patched = await admin(`/destinations/${created.id}`, { method: "PATCH", body: { events: ["digest.daily"] } });
    expect((await patched.json<{ events: string[] }>()).events).toEqual(["digest.daily"]);
  });

  it.each([
    [{ events: ["call.reported", "calls.reported"] }, "events[1]"],
    [{ events: [] }, "events"],
    [{ events: ["digest.daily", "digest.daily"] }, "events"],
    [{ options: { activeHours: "09:00-24:00" } }, "options.activeHours"],
    [{ options: { activeHours: "09:00-09:00" } }, "options.activeHours"],
    [{ options: { dropRatio: 1.5 } }, "options.dropRatio"],
    [{ options: { silentMinutes: 2 } }, "options.silentMinutes"],
    [{ options: { digestAt: "9am" } }, "options.digestAt"],
  ])("refuses %j at %s", async (change, path) => {
    const res = await admin("/destinations", {
      body: { name: "bad", type: "webhook", config: { url: hookUrl() }, ...change },
    });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { details: { path: string }[] } }>();
    expect(body.error.details.map((d) => d.path)).toContain(path);
  });
});
