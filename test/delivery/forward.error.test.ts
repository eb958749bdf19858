import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { QUEUE_GRACE_MS } from "../../src/pipeline/dispatch/enqueue";
import { consume, parkedDeliveries, runCron } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import {
  admin,
  attemptsOf,
  createDestination,
  deliveriesOf,
  push,
  record,
  rows,
  waitForStatus,
} from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

/** One delivery that exists in D1 but was never enqueued: the test drives the consumer itself. */
async function parkedDelivery(body: Record<string, unknown>) {
  const { dest, ids, voiceIds } = await parkedDeliveries(body, 1);
  return { dest, voiceId: voiceIds[0] as string, deliveryId: ids[0] as string };
}

describe("retries", () => {
  it("delivers on retry after a 500, with both attempts logged", async () => {
    const receiver = installReceiver();
    receiver.answer((_, i) => new Response(i === 0 ? "boom" : "fine", { status: i === 0 ? 500 : 200 }));
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const r = record();
    await push({ array: [r] });
    const delivery = await waitForStatus(dest.id, r.voiceId, "delivered");
    expect(delivery.attempts).toBe(2);
    expect(await attemptsOf(delivery.id)).toMatchObject([
      { status_code: 500, outcome: "retry", error: expect.stringContaining("500"), response_body: "boom" },
      { status_code: 200, outcome: "delivered", error: null, response_body: "fine" },
    ]);
  });

  it("honours Retry-After on a 429", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("slow down", { status: 429, headers: { "retry-after": "120" } }));
    const { deliveryId } = await parkedDelivery({ type: "webhook", config: { url: hookUrl() } });
    const before = Date.now();
    expect((await consume([deliveryId])).ackAll).toBe(true);
    const [delivery] = await rows<{ status: string; next_attempt_at: number; lease_until: number }>(
      "SELECT status, next_attempt_at, lease_until FROM deliveries WHERE id = ?",
      deliveryId,
    );
    expect(delivery?.status).toBe("retrying");
    expect(delivery?.next_attempt_at).toBeGreaterThanOrEqual(before + 120_000);
    expect(delivery?.next_attempt_at).toBeLessThan(Date.now() + 121_000);
    expect(delivery?.lease_until).toBe((delivery?.next_attempt_at as number) + QUEUE_GRACE_MS);
  });

  it("retries a first attempt with no answer in the fast lane's budget in the slow lane, which waits the full timeout", async () => {
    const receiver = installReceiver();
    receiver.answer(() => "hang");
    const { dest, deliveryId } = await parkedDelivery({ type: "webhook", config: { url: hookUrl() } });
    await consume([deliveryId]);
    const [first] = await attemptsOf(deliveryId);
    expect(first).toMatchObject({
      status_code: null,
      outcome: "retry",
      error: `no answer within ${env.FAST_LANE_TIMEOUT_MS} ms: retried in the slow lane`,
    });
    // One timeout is no evidence that the destination is slow: only this delivery's retry changes lane.
    expect(await rows("SELECT slow FROM destinations WHERE id = ?", dest.id)).toEqual([{ slow: 0 }]);
    const started = Date.now();
    for (;;) {
      const attempts = await attemptsOf(deliveryId);
      if (attempts.length >= 2) {
        expect(attempts[1]).toMatchObject({ outcome: "retry", error: `timed out after ${env.DELIVERY_TIMEOUT_MS} ms` });
        break;
      }
      if (Date.now() - started > 10_000) throw new Error("no slow-lane attempt");
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it("gives up after the last scheduled retry without disabling the destination", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("down", { status: 502 }));
    const { dest, deliveryId } = await parkedDelivery({ type: "webhook", config: { url: hookUrl() } });
    await env.DB.prepare("UPDATE deliveries SET attempts = 8 WHERE id = ?").bind(deliveryId).run();
    expect((await consume([deliveryId])).ackAll).toBe(true);
    const [delivery] = await rows<{ status: string; last_error: string }>(
      "SELECT * FROM deliveries WHERE id = ?",
      deliveryId,
    );
    expect(delivery).toMatchObject({
      status: "failed",
      last_error: expect.stringMatching(/^gave up after 9 attempts/),
    });
    expect((await (await admin(`/destinations/${dest.id}`)).json<{ enabled: boolean }>()).enabled).toBe(true);
  });

  it("sends once when the same message arrives twice", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const { deliveryId } = await parkedDelivery({ type: "webhook", config: { url } });
    await Promise.all([consume([deliveryId]), consume([deliveryId])]);
    await consume([deliveryId]);
    expect(receiver.to(url)).toHaveLength(1);
  });
});

describe("digests", () => {
  it("keeps retrying a call whose digest leader ran out of attempts", async () => {
    const receiver = installReceiver();
    receiver.answer((_, i) => new Response(i === 0 ? "busy" : "ok", { status: i === 0 ? 500 : 200 }));
    const dest = await createDestination({
      type: "slack",
      config: { url: "https://hooks.slack.com/services/T/B/digest" },
      enabled: false,
    });
    const [lead, other] = [record(), record()];
    await push({ array: [lead, other] });
    const [leadDelivery] = await deliveriesOf(dest.id, lead.voiceId);
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("UPDATE destinations SET enabled = 1 WHERE id = ?").bind(dest.id),
      env.DB.prepare(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_until = ?, attempts = CASE voice_id WHEN ? THEN 8 ELSE 0 END WHERE destination_id = ?",
      ).bind(now, now + 3_600_000, lead.voiceId, dest.id),
    ]);

    const [otherDelivery] = await deliveriesOf(dest.id, other.voiceId);
    await consume([leadDelivery?.id as string, otherDelivery?.id as string]);
    expect(receiver.received).toHaveLength(1);
    expect(await deliveriesOf(dest.id, lead.voiceId)).toMatchObject([{ status: "failed" }]);
    const [waiting] = await deliveriesOf(dest.id, other.voiceId);
    expect(waiting).toMatchObject({ status: "retrying", attempts: 1 });
    expect(waiting?.next_attempt_at).not.toBeNull();
    await waitForStatus(dest.id, other.voiceId, "delivered");
  });
});

describe("permanent failures", () => {
  it.each([
    ["webhook", hookUrl(), 410, "gone", "410"],
    ["slack", "https://hooks.slack.com/services/T1/B1/archived", 410, "channel_is_archived", "channel_is_archived"],
  ])("a %s answering %s %s fails at once and disables the destination", async (type, url, status, text, reason) => {
    const receiver = installReceiver();
    receiver.answer(() => new Response(text, { status }));
    const dest = await createDestination({ type, config: { url } });
    const r = record();
    await push({ array: [r] });
    const delivery = await waitForStatus(dest.id, r.voiceId, "failed");
    expect(delivery.attempts).toBe(1);
    expect(delivery.last_error).toContain(reason);
    const view = await (await admin(`/destinations/${dest.id}`)).json<{ enabled: boolean; disabledReason: string }>();
    expect(view).toMatchObject({ enabled: false, disabledReason: expect.stringContaining(reason) });

    const later = record();
    await push({ array: [later] });
    expect(await deliveriesOf(dest.id, later.voiceId)).toMatchObject([{ status: "paused" }]);

    receiver.answer(() => new Response("ok"));
    const res = await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { enabled: true } });
    expect(res.status).toBe(200);
    await waitForStatus(dest.id, later.voiceId, "delivered");
  });
});

describe("the sweeper", () => {
  it("re-enqueues a pending delivery whose enqueue was lost", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const { dest, voiceId, deliveryId } = await parkedDelivery({ type: "webhook", config: { url } });
    const now = Date.now();
    await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?, lease_until = ? WHERE id = ?")
      .bind(now - 120_000, now - 60_000, deliveryId)
      .run();
    await runCron(now);
    await waitForStatus(dest.id, voiceId, "delivered");
    expect(receiver.to(url)).toHaveLength(1);
  });

  it("leaves alone a pending delivery still inside its enqueue grace period", async () => {
    installReceiver();
    const { deliveryId } = await parkedDelivery({ type: "webhook", config: { url: hookUrl() } });
    await runCron(Date.now());
    await new Promise((r) => setTimeout(r, 1500));
    expect(await attemptsOf(deliveryId)).toEqual([]);
  });
});
