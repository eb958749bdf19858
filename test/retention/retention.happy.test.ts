import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { RETENTION_CHUNK, sweepRetention } from "../../src/pipeline/retention/sweep";
import { archiveKey } from "../../src/storage/archive";
import { installReceiver } from "../support/receiver";
import { archivedBody, archiveKeyOf, dropArchivedBody, push, record, rows } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const DAY = 86_400_000;

async function runCron(bindings: Env = env, scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

/** Pushes one record as its own push, then dates the push, its archived body and the call `daysAgo` back. */
async function storedCall(daysAgo: number) {
  const r = record();
  const res = await push({ array: [r] });
  const { pushId } = await res.json<{ pushId: string }>();
  const at = Date.now() - daysAgo * DAY;
  const key = archiveKey(pushId, at);
  const body = await env.ARCHIVE.get((await archiveKeyOf(pushId)) ?? "");
  await env.ARCHIVE.put(key, (await body?.arrayBuffer()) ?? "", { customMetadata: body?.customMetadata });
  await dropArchivedBody(pushId);
  await env.DB.batch([
    env.DB.prepare("UPDATE pushes SET received_at = ?, archive_key = ? WHERE id = ?").bind(at, key, pushId),
    env.DB.prepare("UPDATE calls SET received_at = ? WHERE voice_id = ?").bind(at, r.voiceId),
  ]);
  return { voiceId: r.voiceId, pushId };
}

/** A delivery of the call in `status`, with one logged attempt, to a destination that need not exist. */
async function deliveryOf(voiceId: string, status: string) {
  const id = `dlv_${crypto.randomUUID()}`;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, attempts, next_attempt_at, lease_until, created_at, updated_at) VALUES (?, ?, 'src_default', ?, ?, 1, ?, ?, 0, 0)",
    ).bind(id, `dst_${crypto.randomUUID()}`, voiceId, status, Date.now() + DAY, Date.now() + DAY),
    env.DB.prepare(
      "INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, duration_ms, outcome) VALUES (?, 0, 500, 1, 'retry')",
    ).bind(id),
  ]);
  return id;
}

const count = async (sql: string, ...params: unknown[]) => (await rows<{ n: number }>(sql, ...params))[0]?.n;
const callCount = (voiceId: string) => count("SELECT count(*) AS n FROM calls WHERE voice_id = ?", voiceId);
const deliveryCount = (id: string) => count("SELECT count(*) AS n FROM deliveries WHERE id = ?", id);
const attemptCount = (id: string) => count("SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id = ?", id);
const bodyCount = async (pushId: string) => ((await archivedBody(pushId)) === null ? 0 : 1);
const pushCount = (pushId: string) => count("SELECT count(*) AS n FROM pushes WHERE id = ?", pushId);

describe("the retention sweep", () => {
  it("deletes old calls with their deliveries and attempts, but never one still in flight", async () => {
    installReceiver();
    const expired = await storedCall(400);
    const done = await deliveryOf(expired.voiceId, "delivered");
    const failed = await deliveryOf(expired.voiceId, "failed");
    const pending = await storedCall(400);
    const pendingDelivery = await deliveryOf(pending.voiceId, "pending");
    const retrying = await storedCall(400);
    const retryingDelivery = await deliveryOf(retrying.voiceId, "retrying");
    await deliveryOf(retrying.voiceId, "delivered");
    const recent = await storedCall(300);
    const recentDelivery = await deliveryOf(recent.voiceId, "delivered");

    await runCron();

    expect(await callCount(expired.voiceId)).toBe(0);
    for (const id of [done, failed]) {
      expect(await deliveryCount(id)).toBe(0);
      expect(await attemptCount(id)).toBe(0);
    }
    for (const [call, delivery] of [
      [pending, pendingDelivery],
      [retrying, retryingDelivery],
      [recent, recentDelivery],
    ] as const) {
      expect(await callCount(call.voiceId)).toBe(1);
      expect(await deliveryCount(delivery)).toBe(1);
      expect(await attemptCount(delivery)).toBe(1);
    }
    expect(await count("SELECT count(*) AS n FROM deliveries WHERE voice_id = ?", retrying.voiceId)).toBe(2);
  });

  it("deletes archived bodies after RAW_RETENTION_DAYS and push rows after CALL_RETENTION_DAYS", async () => {
    installReceiver();
    const month = await storedCall(31);
    const year = await storedCall(366);
    const fresh = await storedCall(29);

    await runCron();

    expect([await bodyCount(month.pushId), await pushCount(month.pushId), await callCount(month.voiceId)]).toEqual([
      0, 1, 1,
    ]);
    expect([await bodyCount(year.pushId), await pushCount(year.pushId), await callCount(year.voiceId)]).toEqual([
      0, 0, 0,
    ]);
    expect([await bodyCount(fresh.pushId), await pushCount(fresh.pushId)]).toEqual([1, 1]);
  });

  it("reads its periods from the settings", async () => {
    installReceiver();
    const week = await storedCall(8);
    await runCron({ ...env, RAW_RETENTION_DAYS: "7", CALL_RETENTION_DAYS: "9" });
    expect([await bodyCount(week.pushId), await callCount(week.voiceId)]).toEqual([0, 1]);
    await runCron({ ...env, RAW_RETENTION_DAYS: "7", CALL_RETENTION_DAYS: "7" });
    expect([await pushCount(week.pushId), await callCount(week.voiceId)]).toEqual([0, 0]);
  });

  it(`deletes at most ${RETENTION_CHUNK} rows of a table per run`, async () => {
    const sourceId = `src_bulk_${crypto.randomUUID()}`;
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO calls (source_id, voice_id, connected, received_at, push_id, created_at, updated_at)
       SELECT ?, 'bulk' || i, 0, i, 'psh_bulk', i, i FROM n`,
    )
      .bind(RETENTION_CHUNK + 5, sourceId)
      .run();
    const left = () => count("SELECT count(*) AS n FROM calls WHERE source_id = ?", sourceId);
    await runCron();
    expect(await left()).toBe(5);
    await runCron();
    expect(await left()).toBe(0);
  });

  it("runs even when the delivery sweep fails", async () => {
    installReceiver();
    const old = await storedCall(400);
    const due = await storedCall(0);
    await env.DB.prepare(
      "INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, attempts, next_attempt_at, created_at, updated_at) VALUES (?, 'dst_x', 'src_default', ?, 'pending', 0, 0, 0, 0)",
    )
      .bind(`dlv_${crypto.randomUUID()}`, due.voiceId)
      .run();
    const broken = {
      ...env,
      DELIVERY_QUEUE: {
        sendBatch: () => Promise.reject(new Error("queue unavailable")),
        send: () => Promise.reject(new Error("queue unavailable")),
      },
    } as unknown as Env;
    await expect(runCron(broken)).rejects.toThrow("queue unavailable");
    expect(await callCount(old.voiceId)).toBe(0);
  });

  it("deletes old events with their deliveries, attempts, claims and idle gates, never one in flight", async () => {
    const at = Date.now() - 400 * DAY;
    const event = async (createdAt: number, status: string) => {
      const id = `evt_${crypto.randomUUID()}`;
      const deliveryId = `dlv_${crypto.randomUUID()}`;
      await env.DB.batch([
        env.DB.prepare("INSERT INTO events (id, type, data, created_at) VALUES (?, 'storage.high', '{}', ?)").bind(
          id,
          createdAt,
        ),
        env.DB.prepare(
          "INSERT INTO deliveries (id, destination_id, source_id, voice_id, event_id, status, attempts, created_at, updated_at) VALUES (?, 'dst_x', '', ?, ?, ?, 1, ?, ?)",
        ).bind(deliveryId, id, id, status, createdAt, createdAt),
        env.DB.prepare(
          "INSERT INTO delivery_attempts (delivery_id, attempted_at, duration_ms, outcome) VALUES (?, ?, 1, 'delivered')",
        ).bind(deliveryId, createdAt),
        env.DB.prepare("INSERT INTO event_claims (key, event_id, claimed_at) VALUES (?, ?, ?)").bind(id, id, createdAt),
      ]);
      return { id, deliveryId };
    };
    const old = await event(at, "delivered");
    const busy = await event(at, "retrying");
    const fresh = await event(Date.now(), "delivered");
    const gate = (key: string, pending: number) =>
      env.DB.prepare(
        "INSERT INTO event_gates (key, type, window_ms, sent_at, pending, version) VALUES (?, 'records.rejected', 900000, ?, ?, 1)",
      )
        .bind(key, at, pending)
        .run();
    const idle = `gate_${crypto.randomUUID()}`;
    const holding = `gate_${crypto.randomUUID()}`;
    await gate(idle, 0);
    await gate(holding, 3);
    await runCron();
    const eventCount = (id: string) => count("SELECT count(*) AS n FROM events WHERE id = ?", id);
    const claimCount = (id: string) => count("SELECT count(*) AS n FROM event_claims WHERE key = ?", id);
    const gateCount = (key: string) => count("SELECT count(*) AS n FROM event_gates WHERE key = ?", key);
    const state = async (e: { id: string; deliveryId: string }) => [
      await eventCount(e.id),
      await deliveryCount(e.deliveryId),
      await attemptCount(e.deliveryId),
    ];
    expect(await state(old)).toEqual([0, 0, 0]);
    expect(await state(busy)).toEqual([1, 1, 1]);
    expect(await state(fresh)).toEqual([1, 1, 1]);
    expect([await claimCount(old.id), await claimCount(busy.id), await claimCount(fresh.id)]).toEqual([0, 0, 1]);
    expect([await gateCount(idle), await gateCount(holding)]).toEqual([0, 1]);
  });

  it("deletes destination-health hours past STATS_RETENTION_DAYS and counts them as rollups, events as events", async () => {
    const hour = Math.floor(Date.now() / 3_600_000);
    const destinationId = `dst_${crypto.randomUUID()}`;
    const health = (h: number) =>
      env.DB.prepare(
        `INSERT INTO destination_health (destination_id, hour, delivered, failed, retried, duration_ms,
           lat0, lat1, lat2, lat3, lat4, lat5, lat6, lat7, lat8, last_at)
         VALUES (?, ?, 1, 0, 0, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0, ?)`,
      ).bind(destinationId, h, h * 3_600_000);
    await env.DB.batch([health(hour - 24 * 40), health(hour - 2)]);
    const eventId = `evt_${crypto.randomUUID()}`;
    await env.DB.prepare("INSERT INTO events (id, type, data, created_at) VALUES (?, 'storage.high', '{}', ?)")
      .bind(eventId, Date.now() - 400 * DAY)
      .run();
    // One sweep with a 30-day stats window: the 40-day-old hour goes, the recent one stays.
    const deleted = await sweepRetention({ ...env, STATS_RETENTION_DAYS: "30" });
    const hours = await rows<{ hour: number }>(
      "SELECT hour FROM destination_health WHERE destination_id = ? ORDER BY hour",
      destinationId,
    );
    expect(hours.map((r) => r.hour)).toEqual([hour - 2]);
    expect(deleted.rollups).toBeGreaterThanOrEqual(1);
    expect(deleted.events).toBeGreaterThanOrEqual(1);
    expect(await count("SELECT count(*) AS n FROM events WHERE id = ?", eventId)).toBe(0);
  });
});
