import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { MIN_JUDGED_ATTEMPTS } from "../../src/model/breaker-window";
import { consume, eventsTo, parkedDeliveries, recordingQueue, runCron } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { attemptsOf, createDestination, deliveriesOf, push, record, rows } from "../support/worker";

const receiver = installReceiver();

const webhook = (events: string[], url = hookUrl()) =>
  createDestination({ name: `hook ${events.join(",")}`, type: "webhook", config: { url }, events });

/** Pushes a rejected record, with the debounce gate of the earlier tests' rejections cleared. */
async function pushRejected() {
  await env.DB.prepare("DELETE FROM event_gates WHERE key = 'records.rejected:src_default'").run();
  await push({ array: [record(), { nope: true }] });
}

/** The events of `destinationId` once the queue has delivered `count` of them. */
async function deliveredEvents(destinationId: string, count: number) {
  await vi.waitFor(
    async () => {
      const events = await eventsTo(destinationId);
      expect(events.filter((e) => e.status === "delivered")).toHaveLength(count);
    },
    { timeout: 10_000, interval: 100 },
  );
  return eventsTo(destinationId);
}

describe("event deliveries through the queue handler", () => {
  it("sends a stored event to a webhook, signed, and logs the attempt like a call's", async () => {
    const url = hookUrl("events");
    const dst = await createDestination({
      name: "alerts",
      type: "webhook",
      config: { url },
      events: ["records.rejected"],
    });
    const [secretRow] = await rows<{ config: string }>("SELECT config FROM destinations WHERE id = ?", dst.id);
    const secret = JSON.parse(secretRow?.config ?? "{}").secret as string;
    await pushRejected();
    const [event] = await deliveredEvents(dst.id, 1);
    expect(event?.type).toBe("records.rejected");
    const [request] = receiver.to(url);
    expect(request).toBeDefined();
    const payload = new Webhook(secret).verify(request?.body ?? "", request?.headers ?? {}) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: "records.rejected", data: { sourceId: "src_default", count: 1 } });
    expect(await attemptsOf(event?.id as string)).toMatchObject([{ outcome: "delivered", status_code: 200 }]);
  });

  it("fails an event delivery whose event is gone, and re-enqueues pending ones from the sweeper", async () => {
    const dst = await webhook(["records.rejected"]);
    await pushRejected();
    const [event] = await deliveredEvents(dst.id, 1);
    await env.DB.prepare(
      "UPDATE deliveries SET status = 'retrying', lease_until = NULL, next_attempt_at = 0 WHERE id = ?",
    )
      .bind(event?.id)
      .run();
    await runCron(Date.now());
    await deliveredEvents(dst.id, 1);
    expect(await attemptsOf(event?.id as string)).toMatchObject([{ outcome: "delivered" }, { outcome: "delivered" }]);

    const again = await webhook(["records.rejected"]);
    await pushRejected();
    const [gone] = await deliveredEvents(again.id, 1);
    await env.DB.prepare("UPDATE deliveries SET status = 'retrying', next_attempt_at = 0 WHERE id = ?")
      .bind(gone?.id)
      .run();
    const [{ event_id: eventId } = { event_id: "" }] = await rows<{ event_id: string }>(
      "SELECT event_id FROM deliveries WHERE id = ?",
      gone?.id,
    );
    await env.DB.prepare("DELETE FROM events WHERE id = ?").bind(eventId).run();
    await consume([gone?.id as string]);
    const [failed] = await rows<{ status: string; last_error: string }>(
      "SELECT status, last_error FROM deliveries WHERE id = ?",
      gone?.id,
    );
    expect(failed).toEqual({ status: "failed", last_error: "event is no longer stored" });
  });
});

describe("events about destinations", () => {
  it("destination.disabled: which, why and the last answer, never to the disabled destination itself", async () => {
    const brokenUrl = hookUrl("gone");
    receiver.answer((r) => (r.url === brokenUrl ? new Response("no such hook", { status: 410 }) : new Response("ok")));
    const { dest, ids } = await parkedDeliveries({ name: "failing", type: "webhook", config: { url: brokenUrl } }, 1);
    await env.DB.prepare("UPDATE destinations SET events = ? WHERE id = ?")
      .bind(JSON.stringify(["call.reported", "destination.disabled"]), dest.id)
      .run();
    const alerts = await webhook(["destination.disabled"]);
    await consume(ids);
    const [event] = await deliveredEvents(alerts.id, 1);
    expect(event).toMatchObject({ type: "destination.disabled", status: "delivered" });
    expect(JSON.parse(event?.data ?? "{}")).toEqual({
      destinationId: dest.id,
      destinationName: "failing",
      reason: expect.any(String),
      lastStatusCode: 410,
      lastResponse: "no such hook",
    });
    expect(await eventsTo(dest.id)).toEqual([]);
    receiver.answer(() => new Response("ok"));
  });

  it("breaker.opened when the destination is mostly failing, breaker.closed when the probe succeeds", async () => {
    const flakyUrl = hookUrl("flaky");
    let up = false;
    receiver.answer((r) => (r.url === flakyUrl && !up ? new Response("down", { status: 503 }) : new Response("ok")));
    const { dest, ids } = await parkedDeliveries(
      { name: "failing", type: "webhook", config: { url: flakyUrl } },
      MIN_JUDGED_ATTEMPTS,
    );
    const alerts = await webhook(["breaker.opened", "breaker.closed"]);
    // Retries and the probe go to a recording slow lane: none is left queued for after the test.
    const bindings = { ...env, SLOW_LANE_QUEUE: recordingQueue().queue } as Env;
    await consume(ids, "callrelay-deliveries", bindings);
    const [opened] = await deliveredEvents(alerts.id, 1);
    expect(opened?.type).toBe("breaker.opened");
    expect(JSON.parse(opened?.data ?? "{}")).toMatchObject({ destinationId: dest.id, failures: MIN_JUDGED_ATTEMPTS });

    up = true;
    await env.DB.prepare("UPDATE destinations SET open_until = 0 WHERE id = ?").bind(dest.id).run();
    await env.DB.prepare("UPDATE deliveries SET next_attempt_at = 0, lease_until = NULL WHERE destination_id = ?")
      .bind(dest.id)
      .run();
    await consume(ids, "callrelay-deliveries", bindings);
    const events = await deliveredEvents(alerts.id, 2);
    expect(events.map((e) => e.type)).toEqual(["breaker.opened", "breaker.closed"]);
    expect(JSON.parse(events[1]?.data ?? "{}")).toMatchObject({ destinationId: dest.id, openedAt: expect.any(String) });
    receiver.answer(() => new Response("ok"));
  });

  it("delivery.exhausted: one per destination per 15 minutes with the count; failing events do not count", async () => {
    const deadUrl = hookUrl("dead");
    receiver.answer((r) => (r.url === deadUrl ? new Response("down", { status: 500 }) : new Response("ok")));
    const { dest, ids, voiceIds } = await parkedDeliveries(
      { name: "failing", type: "webhook", config: { url: deadUrl } },
      3,
    );
    await env.DB.prepare("UPDATE deliveries SET attempts = 8 WHERE destination_id = ?").bind(dest.id).run();
    const alerts = await webhook(["delivery.exhausted"]);
    await consume(ids.slice(0, 2));
    const [exhausted] = await deliveredEvents(alerts.id, 1);
    expect(exhausted?.type).toBe("delivery.exhausted");
    expect(JSON.parse(exhausted?.data ?? "{}")).toMatchObject({
      destinationId: dest.id,
      count: 2,
      lastError: expect.stringContaining("gave up after 9 attempts"),
    });
    await consume([ids[2] as string]);
    expect(await eventsTo(alerts.id)).toHaveLength(1);
    const [gate] = await rows<{ pending: number }>(
      "SELECT pending FROM event_gates WHERE key = ?",
      `delivery.exhausted:${dest.id}`,
    );
    expect(gate?.pending).toBe(1);
    expect((await deliveriesOf(dest.id, voiceIds[0] as string))[0]?.status).toBe("failed");

    // The alert destination itself dies: its event deliveries give up without raising another alert.
    await env.DB.prepare("UPDATE destinations SET config = json_set(config, '$.url', ?) WHERE id = ?")
      .bind(deadUrl, alerts.id)
      .run();
    await env.DB.prepare(
      "UPDATE deliveries SET status = 'retrying', attempts = 8, next_attempt_at = 0 WHERE destination_id = ?",
    )
      .bind(alerts.id)
      .run();
    await consume([exhausted?.id as string]);
    expect((await eventsTo(alerts.id))[0]?.status).toBe("failed");
    const [gates] = await rows<{ n: number }>(
      "SELECT count(*) AS n FROM event_gates WHERE key = ?",
      `delivery.exhausted:${alerts.id}`,
    );
    expect(gates?.n).toBe(0);
    receiver.answer(() => new Response("ok"));
  });
});
