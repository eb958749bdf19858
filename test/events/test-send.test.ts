import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { operationEventTypes } from "../../src/model/events/types";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, rows } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const testEvent = (id: string, body?: unknown) =>
  admin(`/destinations/${id}/test`, { method: "POST", ...(body === undefined ? {} : { body }) });

describe("POST /destinations/{id}/test with an event", () => {
  it.each(operationEventTypes)("sends a signed sample of %s to a webhook, storing nothing", async (type) => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url } });
    const res = await testEvent(dest.id, { event: type });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, verdict: "delivered" });
    const [request] = receiver.to(url);
    const payload = new Webhook(dest.secret as string).verify(request?.body ?? "", request?.headers ?? {}) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(payload.type).toBe(type);
    expect(Object.keys(payload.data).length).toBeGreaterThan(0);
    expect(await rows("SELECT 1 FROM deliveries WHERE destination_id = ?", dest.id)).toEqual([]);
  });

  it("renders the sample in the chat destination's language", async () => {
    const receiver = installReceiver();
    const url = `https://hooks.slack.com/services/T1/B1/${crypto.randomUUID()}`;
    const dest = await createDestination({ type: "slack", config: { url }, options: { locale: "zh" } });
    expect((await testEvent(dest.id, { event: "line.balance_announcement" })).status).toBe(200);
    expect(JSON.parse(receiver.to(url)[0]?.body ?? "{}").text).toContain("线路余额不足");
  });

  it("still sends the sample call without a body", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url } });
    expect((await testEvent(dest.id)).status).toBe(200);
    expect(JSON.parse(receiver.to(url)[0]?.body ?? "{}").type).toBe("call.reported");
  });

  it("refuses an unknown event type, naming the field", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const res = await testEvent(dest.id, { event: "call.exploded" });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; details: { path: string }[] } }>();
    expect(body.error.details[0]?.path).toBe("event");
  });
});
