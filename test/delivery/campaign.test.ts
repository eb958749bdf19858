import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PICKUP_MAX } from "../../src/pipeline/delivery/consumer";
import { SWEEP_WINDOW, sweepDeliveries } from "../../src/pipeline/delivery/sweeper";
import { consume, consumeMessages, parkedDeliveries, withRecordingLanes } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, attemptsOf, createDestination, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const delivery = async (id: string) =>
  (
    await rows<{ status: string; attempts: number; next_attempt_at: number | null }>(
      "SELECT status, attempts, next_attempt_at FROM deliveries WHERE id = ?",
      id,
    )
  )[0];

describe("a batch", () => {
  it("records healthy outcomes without waiting for a hanging receiver, and sends a duplicated message once", async () => {
    const receiver = installReceiver();
    const [healthyUrl, failingUrl, hangingUrl] = [hookUrl("ok"), hookUrl("fail"), hookUrl("hang")];
    receiver.answer((request) =>
      request.url === hangingUrl ? "hang" : new Response("", { status: request.url === failingUrl ? 500 : 200 }),
    );
    const healthy = await parkedDeliveries({ type: "webhook", config: { url: healthyUrl } }, 3);
    const failing = await parkedDeliveries({ type: "webhook", config: { url: failingUrl } }, 1);
    const hanging = await parkedDeliveries({ type: "webhook", config: { url: hangingUrl } }, 1);

    const result = await consume([...healthy.ids, healthy.ids[0] as string, ...failing.ids, ...hanging.ids]);
    expect(result.ackAll).toBe(true);

    expect(receiver.to(healthyUrl)).toHaveLength(3);
    for (const id of healthy.ids) expect(await delivery(id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(await delivery(failing.ids[0] as string)).toMatchObject({ status: "retrying", attempts: 1 });
    // The hanging receiver got the fast lane's budget, not the delivery timeout, and moved to the slow lane.
    expect(await attemptsOf(hanging.ids[0] as string)).toMatchObject([
      { outcome: "retry", error: `no answer within ${env.FAST_LANE_TIMEOUT_MS} ms: retried in the slow lane` },
    ]);
    expect(Number(env.FAST_LANE_TIMEOUT_MS)).toBeLessThan(Number(env.DELIVERY_TIMEOUT_MS));
  });

  it("sends a slow destination's deliveries to the slow lane without an attempt", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 2);
    await env.DB.prepare("UPDATE destinations SET slow = 1 WHERE id = ?").bind(dest.id).run();
    const lanes = withRecordingLanes();
    await consume(ids, "callrelay-deliveries", lanes.env);
    expect(receiver.to(url)).toHaveLength(0);
    expect(lanes.slow.map((m) => m.body)).toEqual(ids.map((deliveryId) => ({ deliveryId })));
    for (const id of ids) expect((await delivery(id))?.attempts).toBe(0);
    for (const id of ids) expect(await attemptsOf(id)).toEqual([]);
  });
});

describe("retry now", () => {
  it("sends a retrying delivery at once, its attempts kept", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const { dest, ids, voiceIds } = await parkedDeliveries({ type: "webhook", config: { url } }, 1);
    const id = ids[0] as string;
    await env.DB.prepare(
      "UPDATE deliveries SET status = 'retrying', attempts = 2, next_attempt_at = ?, lease_until = NULL WHERE id = ?",
    )
      .bind(Date.now() + 3_600_000, id)
      .run();
    const res = await admin(`/deliveries/${id}/retry`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "retrying", attempts: 2 });
    const done = await waitForStatus(dest.id, voiceIds[0] as string, "delivered");
    expect(done.attempts).toBe(3);
    expect(receiver.to(url)).toHaveLength(1);
  });

  it("refuses a delivery being attempted right now", async () => {
    installReceiver();
    const { ids } = await parkedDeliveries({ type: "webhook", config: { url: hookUrl() } }, 1);
    const leaseEnd = Date.now() + 60_000;
    await env.DB.prepare(
      "UPDATE deliveries SET status = 'retrying', attempts = 1, claimed_until = ?, lease_until = ? WHERE id = ?",
    )
      .bind(leaseEnd, leaseEnd, ids[0])
      .run();
    const res = await admin(`/deliveries/${ids[0]}/retry`, { method: "POST" });
    expect(res.status).toBe(409);
  });

  it("retries a destination's failed and retrying deliveries in bulk, leaving the others", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 4);
    const [failed, retrying, paused, pending] = ids as [string, string, string, string];
    const later = Date.now() + 3_600_000;
    await env.DB.batch([
      env.DB.prepare("UPDATE deliveries SET status = 'failed', attempts = 9, next_attempt_at = NULL WHERE id = ?").bind(
        failed,
      ),
      env.DB.prepare(
        "UPDATE deliveries SET status = 'retrying', attempts = 3, next_attempt_at = ?, lease_until = NULL WHERE id = ?",
      ).bind(later, retrying),
      env.DB.prepare("UPDATE deliveries SET status = 'paused', next_attempt_at = NULL WHERE id = ?").bind(paused),
      env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(later, pending),
    ]);
    const res = await admin(`/destinations/${dest.id}/retry`, { body: { status: ["failed", "retrying"] } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ retried: 2, nextCursor: null });
    const voices = await rows<{ id: string; voice_id: string }>(
      "SELECT id, voice_id FROM deliveries WHERE id IN (?, ?)",
      failed,
      retrying,
    );
    for (const v of voices) await waitForStatus(dest.id, v.voice_id, "delivered");
    expect(await delivery(failed)).toMatchObject({ attempts: 1 });
    expect(await delivery(retrying)).toMatchObject({ attempts: 4 });
    expect(await delivery(paused)).toMatchObject({ status: "paused" });
    expect(receiver.to(url)).toHaveLength(2);
  });

  it("answers 400 for an unknown status and 409 while the destination is disabled", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const bad = await admin(`/destinations/${dest.id}/retry`, { body: { status: ["delivered"] } });
    expect(bad.status).toBe(400);
    await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { enabled: false } });
    const disabled = await admin(`/destinations/${dest.id}/retry`, { body: { status: ["paused"] } });
    expect(disabled.status).toBe(409);
  });
});

describe("the sweeper", () => {
  it("sends one window of due, unleased deliveries a run; a consumer with an empty queue takes more", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const now = Date.now();
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
       INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, attempts, next_attempt_at, lease_until, created_at, updated_at)
       SELECT 'dlv_sw_${tag}_' || i, 'dst_gone_${tag}', 'src_default', 'v_${tag}_' || i, 'pending', 0, ?, ?, ?, ? FROM n`,
    )
      .bind(now - 120_000, now - 60_000, now, now)
      .run();
    // Recording queues: 1,200 real messages to deliveries of a deleted destination would only keep the local
    // queue busy after the test.
    const lanes = withRecordingLanes();
    const unleased = async () =>
      (
        await rows<{ n: number }>(
          "SELECT count(*) AS n FROM deliveries WHERE destination_id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)",
          `dst_gone_${tag}`,
          Date.now(),
        )
      )[0]?.n;
    expect(await sweepDeliveries(lanes.env, now)).toBe(SWEEP_WINDOW);
    expect(lanes.fast).toHaveLength(SWEEP_WINDOW);
    expect(lanes.fast.every((m) => "deliveryId" in m.body && m.body.swept)).toBe(true);
    expect(await unleased()).toBe(1200 - SWEEP_WINDOW);

    // A batch of 100 swept messages with nothing queued behind it takes the next PICKUP_MAX (> 100) due deliveries
    // of its lane from D1, without a sweep.
    const batch = lanes.fast.splice(0, 100).map((m) => m.body);
    expect((await consumeMessages(batch, "callrelay-deliveries", lanes.env)).ackAll).toBe(true);
    expect(lanes.fast.length).toBe(SWEEP_WINDOW - 100 + PICKUP_MAX);
    expect(await unleased()).toBe(1200 - SWEEP_WINDOW - PICKUP_MAX);
  });
});
