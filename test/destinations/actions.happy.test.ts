import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import sample from "../fixtures/sample-push.json";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, deliveriesOf, push, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

interface TestResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  verdict: string;
  responseBody: string | null;
  error: string | null;
}

async function testSend(id: string) {
  const res = await admin(`/destinations/${id}/test`, { method: "POST" });
  expect(res.status).toBe(200);
  return res.json<TestResult>();
}

async function enabled(id: string) {
  return (await (await admin(`/destinations/${id}`)).json<{ enabled: boolean }>()).enabled;
}

describe("POST /destinations/{id}/test", () => {
  it("sends the sample call, signed, and reports the answer without creating a delivery", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    receiver.answer(() => new Response("thanks"));
    const dest = await createDestination({ type: "webhook", config: { url }, filter: { intentCode: "999" } });

    expect(await testSend(dest.id)).toEqual({
      ok: true,
      statusCode: 200,
      durationMs: expect.any(Number),
      verdict: "delivered",
      responseBody: "thanks",
      error: null,
    });
    const [request, ...more] = receiver.to(url);
    expect(more).toEqual([]);
    const payload = new Webhook(dest.secret as string).verify(request?.body as string, request?.headers ?? {}) as {
      data: Record<string, unknown>;
    };
    const { voiceId, intentCode, callee, answerTime } = sample.array[0] as Record<string, unknown>;
    expect(payload.data).toMatchObject({ voiceId, intentCode, callee, answerTime, connected: true });
    expect(await rows("SELECT 1 FROM deliveries WHERE destination_id = ?", dest.id)).toEqual([]);
  });

  it("reports a permanent answer without disabling the destination", async () => {
    const receiver = installReceiver();
    const url = "https://hooks.slack.com/services/T1/B1/test-archived";
    receiver.answer(() => new Response("channel_is_archived", { status: 410 }));
    const dest = await createDestination({ type: "slack", config: { url } });
    const result = await testSend(dest.id);
    expect(result).toMatchObject({
      ok: false,
      statusCode: 410,
      verdict: "failed",
      responseBody: "channel_is_archived",
    });
    expect(result.error).toContain("channel_is_archived");
    expect(await enabled(dest.id)).toBe(true);
    expect(JSON.parse(receiver.to(url)[0]?.body ?? "{}").blocks[0]).toMatchObject({ type: "header" });
  });

  it("reports a timeout and cuts a long answer to 1 KB", async () => {
    const receiver = installReceiver();
    const slow = hookUrl("slow");
    const chatty = hookUrl("chatty");
    receiver.answer((req) =>
      req.url === slow ? "hang" : new Response("x".repeat(5000), { status: 503, headers: { "retry-after": "30" } }),
    );
    const hanging = await createDestination({ type: "webhook", config: { url: slow } });
    expect(await testSend(hanging.id)).toMatchObject({
      ok: false,
      statusCode: null,
      verdict: "retry",
      responseBody: null,
      error: `timed out after ${env.DELIVERY_TIMEOUT_MS} ms`,
    });
    const busy = await createDestination({ type: "webhook", config: { url: chatty } });
    const result = await testSend(busy.id);
    expect(result).toMatchObject({ ok: false, statusCode: 503, verdict: "retry" });
    expect(result.responseBody).toBe("x".repeat(1024));
  });

  it("tests a disabled destination too", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url }, enabled: false });
    expect((await testSend(dest.id)).ok).toBe(true);
    expect(receiver.to(url)).toHaveLength(1);
    expect(await enabled(dest.id)).toBe(false);
  });
});

describe("POST /destinations/{id}/replay", () => {
  /** Sets when calls were received, as if they had arrived then. */
  async function receivedAt(at: number, ...voiceIds: string[]) {
    for (const voiceId of voiceIds) {
      await env.DB.prepare("UPDATE calls SET received_at = ? WHERE voice_id = ?").bind(at, voiceId).run();
    }
  }

  it("creates exactly the missing deliveries of matching calls in the window, and sends them", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const start = Date.UTC(2003, 1, 1) + Math.floor(Math.random() * 1e9);
    const missing = [record(), record({ intentCode: "303" })];
    const unmatched = record({ callStatusNew: 3 });
    const notInExtra = record({ intentCode: "301" });
    const outside = record();
    await push({ array: [...missing, unmatched, notInExtra, outside] });
    const dest = await createDestination({
      type: "webhook",
      config: { url },
      filter: { connected: true },
      sourceIds: ["src_default"],
    });
    const delivered = record();
    await push({ array: [delivered] });
    await waitForStatus(dest.id, delivered.voiceId, "delivered");
    const inWindow = [...missing, unmatched, notInExtra, delivered].map((r) => r.voiceId);
    await receivedAt(start + 1000, ...inWindow);
    await receivedAt(start - 1, outside.voiceId);
    const elsewhere = record();
    await env.DB.prepare(
      "INSERT INTO calls (source_id, voice_id, connected, intent_code, received_at, push_id, created_at, updated_at) VALUES ('src_elsewhere', ?, 1, '302', ?, 'psh_x', 0, 0)",
    )
      .bind(elsewhere.voiceId, start + 2000)
      .run();

    const body = {
      since: new Date(start).toISOString(),
      until: new Date(start + 60_000).toISOString(),
      filter: { intentCode: { $in: ["302", "303"] } },
    };
    const res = await admin(`/destinations/${dest.id}/replay`, { body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ created: 2, scanned: 5, complete: true, nextCursor: null });

    for (const r of missing) await waitForStatus(dest.id, r.voiceId, "delivered");
    for (const r of [unmatched, notInExtra, outside, elsewhere]) {
      expect(await deliveriesOf(dest.id, r.voiceId)).toEqual([]);
    }
    expect(await deliveriesOf(dest.id, delivered.voiceId)).toHaveLength(1);
    const sent = receiver.to(url).map((req) => JSON.parse(req.body).data.voiceId);
    expect(sent.sort()).toEqual([delivered.voiceId, ...missing.map((r) => r.voiceId)].sort());

    const again = await admin(`/destinations/${dest.id}/replay`, { body });
    expect(await again.json()).toEqual({ created: 0, scanned: 5, complete: true, nextCursor: null });
    expect(receiver.to(url)).toHaveLength(3);
  });

  it("pauses the deliveries it creates for a disabled destination", async () => {
    installReceiver();
    const start = Date.UTC(2004, 1, 1) + Math.floor(Math.random() * 1e9);
    const r = record();
    await push({ array: [r] });
    await receivedAt(start, r.voiceId);
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() }, enabled: false });
    const res = await admin(`/destinations/${dest.id}/replay`, {
      body: { since: String(start), until: String(start + 1) },
    });
    expect(await res.json()).toMatchObject({ created: 1, scanned: 1, complete: true });
    expect(await deliveriesOf(dest.id, r.voiceId)).toMatchObject([{ status: "paused", attempts: 0 }]);
  });
});

describe("POST /destinations/{id}/rotate-secret", () => {
  const signatures = (headers: Record<string, string> | undefined) => (headers?.["webhook-signature"] ?? "").split(" ");

  it("signs with both secrets for 24 hours, then with the new one only", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url } });
    const oldSecret = dest.secret as string;

    const before = Date.now();
    const res = await admin(`/destinations/${dest.id}/rotate-secret`, { method: "POST" });
    expect(res.status).toBe(200);
    const rotated = await res.json<{ secret: string; previousSecretExpiresAt: string }>();
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.secret).not.toBe(oldSecret);
    const expiresAt = Date.parse(rotated.previousSecretExpiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);

    const during = record();
    await push({ array: [during] });
    await waitForStatus(dest.id, during.voiceId, "delivered");
    const overlap = receiver.to(url)[0];
    expect(signatures(overlap?.headers)).toEqual([expect.stringMatching(/^v1,/), expect.stringMatching(/^v1,/)]);
    for (const secret of [oldSecret, rotated.secret]) {
      const payload = new Webhook(secret).verify(overlap?.body as string, overlap?.headers ?? {}) as {
        data: { voiceId: string };
      };
      expect(payload.data.voiceId).toBe(during.voiceId);
    }

    await env.DB.prepare("UPDATE destinations SET previous_secret_expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, dest.id)
      .run();
    const after = record();
    await push({ array: [after] });
    await waitForStatus(dest.id, after.voiceId, "delivered");
    const late = receiver.to(url)[1];
    expect(signatures(late?.headers)).toHaveLength(1);
    expect(() => new Webhook(rotated.secret).verify(late?.body as string, late?.headers ?? {})).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(late?.body as string, late?.headers ?? {})).toThrow();
  });

  it("keeps only the secret current at the last rotation", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url } });
    const first = await (await admin(`/destinations/${dest.id}/rotate-secret`, { method: "POST" })).json<{
      secret: string;
    }>();
    const second = await (await admin(`/destinations/${dest.id}/rotate-secret`, { method: "POST" })).json<{
      secret: string;
    }>();
    const r = record();
    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const [request] = receiver.to(url);
    for (const secret of [first.secret, second.secret]) {
      expect(() => new Webhook(secret).verify(request?.body as string, request?.headers ?? {})).not.toThrow();
    }
    expect(() => new Webhook(dest.secret as string).verify(request?.body as string, request?.headers ?? {})).toThrow();
  });
});
