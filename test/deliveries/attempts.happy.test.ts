import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { maskPhone } from "../../src/lib/mask";
import { REDACTED } from "../../src/messages/redact";
import { ATTEMPTS_PREFIX } from "../../src/storage/attempt-details";
import { page, signIn } from "../console/kit";
import { consume, parkedDeliveries, runCron, withRecordingLanes } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, rows } from "../support/worker";

// A later test's push must not make deliveries to an earlier test's destination (the real queue would send them).
afterEach(async () => {
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
  vi.unstubAllGlobals();
});

interface Detail {
  status: string;
  attemptLog: {
    statusCode: number | null;
    outcome: string;
    waitReason: string | null;
    nextAttemptAt: string | null;
    detailStatus: string;
    detail: {
      request: { method: string; url: string; headers: Record<string, string>; body: string };
      answer: { status: number; headers: Record<string, string>; body: string } | null;
      durationMs: number;
    } | null;
  }[];
  timeline: { kind: string; reason?: string }[];
}

/** A webhook delivery the receiver answers 500 and then, on its retry, 200, through the real queue handler. */
async function failedOnceThenDelivered(bindings?: (lanes: Env) => Env) {
  const receiver = installReceiver();
  const url = hookUrl("attempts");
  receiver.answer(() =>
    receiver.to(url).length === 1
      ? new Response("upstream broke", { status: 500, headers: { "x-trace": "t-1" } })
      : Response.json({ ok: true }, { headers: { "x-trace": "t-2" } }),
  );
  const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 1);
  const id = ids[0] as string;
  const lanes = withRecordingLanes();
  const run = bindings ? bindings(lanes.env) : lanes.env;
  await consume([id], "callrelay-deliveries", run);
  expect(lanes.slow.map((m) => m.body)).toEqual([{ deliveryId: id }]);
  await consume([id], "callrelay-deliveries-slow", run);
  return { dest, id, sent: () => receiver.to(url) };
}

describe("a delivery's whole attempt", () => {
  it("keeps each attempt's request as sent and answer, and a timeline with the wait between", async () => {
    const { id, sent: received } = await failedOnceThenDelivered();
    const res = await admin(`/deliveries/${id}`);
    expect(res.status).toBe(200);
    const d = await res.json<Detail>();
    expect(d.status).toBe("delivered");
    expect(d.attemptLog.map((a) => [a.statusCode, a.outcome, a.waitReason, a.detailStatus])).toEqual([
      [500, "retry", "backoff", "kept"],
      [200, "delivered", null, "kept"],
    ]);
    expect(d.attemptLog[0]?.nextAttemptAt).toEqual(expect.any(String));
    const [first, second] = d.attemptLog.map((a) => a.detail);
    const sent = received()[0];
    expect(first?.request).toMatchObject({ method: "POST", url: "http://127.0.0.1:9/…", body: sent?.body });
    expect(first?.request.headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": sent?.headers["webhook-timestamp"],
      "webhook-signature": REDACTED,
    });
    expect(first?.answer).toMatchObject({ status: 500, body: "upstream broke" });
    expect(first?.answer?.headers["x-trace"]).toBe("t-1");
    expect(second?.answer).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(d.timeline.map((e) => [e.kind, e.reason])).toEqual([
      ["planned", undefined],
      ["attempt", undefined],
      ["wait", "backoff"],
      ["attempt", undefined],
    ]);

    const [row] = await rows<{ detail_key: string }>(
      "SELECT detail_key FROM delivery_attempts WHERE delivery_id = ? ORDER BY id LIMIT 1",
      id,
    );
    expect(row?.detail_key).toMatch(/^attempts\/\d{4}-\d{2}-\d{2}\/[\w-]+\.ndjson\.gz$/);
    const object = await env.ARCHIVE.get(row?.detail_key as string);
    const lines = (await new Response(object?.body.pipeThrough(new DecompressionStream("gzip"))).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ deliveryIds: [id], answer: expect.objectContaining({ status: 500 }) }),
    ]);
  });

  it("shows the timeline and both attempts on the delivery's console page, in both languages", async () => {
    const { id } = await failedOnceThenDelivered();
    const cookie = await signIn();
    const html = await (await page(`/deliveries/${id}`, { cookie })).text();
    expect(html).toContain("Timeline");
    expect(html.match(/data-timeline="attempt"/g)).toHaveLength(2);
    expect(html).toContain('data-timeline="wait" data-reason="backoff"');
    expect(html).toContain("the retry schedule (backoff)");
    expect(html).toContain("upstream broke");
    expect(html).toContain("Force resend");
    expect(html).toContain(`data-part="request-headers"`);
    // The webhook got the callee's number in full; the page masks it (the call's page reveals it, audited).
    const [call] = await rows<{ callee: string }>(
      "SELECT c.callee FROM calls c JOIN deliveries d ON d.source_id = c.source_id AND d.voice_id = c.voice_id WHERE d.id = ?",
      id,
    );
    expect(call?.callee.length).toBeGreaterThan(6);
    expect(html).not.toContain(call?.callee);
    expect(html).toContain(maskPhone(call?.callee ?? null));
    const zh = await (await page(`/deliveries/${id}`, { cookie: `${cookie}; lang=zh` })).text();
    expect(zh).toContain("时间线");
    expect(zh).toContain("重试计划（退避）");
    expect(zh).not.toContain("the retry schedule");
  });

  it("force-resends a delivered delivery only after asking, from the start of its schedule", async () => {
    const { id, sent: received } = await failedOnceThenDelivered();
    const cookie = await signIn();
    const question = await (await page(`/deliveries/${id}/resend`, { cookie })).text();
    expect(question).toContain("Send this delivered message again?");
    expect(question).toContain(`action="/deliveries/${id}/resend"`);
    const status = async () => (await rows<{ status: string }>("SELECT status FROM deliveries WHERE id = ?", id))[0];
    expect(await status()).toEqual({ status: "delivered" });
    const sent = await page(`/deliveries/${id}/resend`, { cookie, form: {} });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe(`/deliveries/${id}`);
    expect(await rows("SELECT action FROM audit_log WHERE target = ?", id)).toContainEqual({
      action: "deliveries.resend",
    });
    // The real queue sends it again (the receiver still answers 200), so nothing is left queued after the test.
    for (let i = 0; i < 100 && received().length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 50 && (await status())?.status !== "delivered"; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(received()).toHaveLength(3);
    expect(received()[2]?.headers["webhook-id"]).toBe(id);
    const d = await (await admin(`/deliveries/${id}`)).json<Detail>();
    expect(d.attemptLog.map((a) => a.statusCode)).toEqual([500, 200, 200]);
    expect((await admin(`/deliveries/${id}/retry`, { method: "POST" })).status).toBe(409);
  });

  it("retries a failed delivery from its page, back to the page", async () => {
    const { id, sent: received } = await failedOnceThenDelivered();
    await env.DB.prepare("UPDATE deliveries SET status = 'failed' WHERE id = ?").bind(id).run();
    const cookie = await signIn();
    const html = await (await page(`/deliveries/${id}`, { cookie })).text();
    expect(html).toContain(`action="/deliveries/${id}/retry"`);
    expect(html).not.toContain("Force resend");
    const res = await page(`/deliveries/${id}/retry`, { cookie, form: { back: `/deliveries/${id}` } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/deliveries/${id}`);
    // The real queue sends it (the receiver answers 200), so nothing is left queued after the test.
    for (let i = 0; i < 100 && received().length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received()).toHaveLength(3);
  });

  it("says the next attempt waits for the destination's open circuit, until when", async () => {
    installReceiver().answer(() => new Response("down", { status: 503 }));
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url: hookUrl("breaker") } }, 1);
    const id = ids[0] as string;
    await consume([id], "callrelay-deliveries", withRecordingLanes().env);
    const openUntil = Date.now() + 120_000;
    await env.DB.batch([
      env.DB.prepare("UPDATE destinations SET circuit = 'open', open_until = ? WHERE id = ?").bind(openUntil, dest.id),
      env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?, lease_until = NULL WHERE id = ?").bind(openUntil, id),
    ]);
    const d = await (await admin(`/deliveries/${id}`)).json<Detail>();
    expect(d.timeline.at(-1)).toEqual({
      kind: "next",
      at: new Date(openUntil).toISOString(),
      reason: "breaker",
      breakerOpenUntil: new Date(openUntil).toISOString(),
    });
    const html = await (await page(`/deliveries/${id}`, { cookie: await signIn() })).text();
    expect(html).toContain('data-timeline="next" data-reason="breaker"');
    expect(html).toContain("held: the destination&#39;s circuit breaker is open until");
    await env.DB.prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?").bind(id).run();
  });

  it("records the outcome when the archive cannot be written, and the page says the details were not kept", async () => {
    const broken = (lanes: Env) =>
      ({
        ...lanes,
        ARCHIVE: { put: async () => Promise.reject(new Error("R2 is down")) },
      }) as unknown as Env;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { id } = await failedOnceThenDelivered(broken);
    expect(errors.mock.calls.some(([m]) => String(m).includes("attempts archive write failed"))).toBe(true);
    const d = await (await admin(`/deliveries/${id}`)).json<Detail>();
    expect(d.status).toBe("delivered");
    expect(d.attemptLog.map((a) => a.detailStatus)).toEqual(["not_kept", "not_kept"]);
    const html = await (await page(`/deliveries/${id}`, { cookie: await signIn() })).text();
    expect(html).toContain("Details not kept");
  });

  it("the retention sweep deletes attempts of days past RAW_RETENTION_DAYS and keeps newer ones", async () => {
    const old = `${ATTEMPTS_PREFIX}2020-01-01/old-batch.ndjson.gz`;
    const recent = `${ATTEMPTS_PREFIX}${new Date().toISOString().slice(0, 10)}/recent-batch.ndjson.gz`;
    await env.ARCHIVE.put(old, "x");
    await env.ARCHIVE.put(recent, "x");
    await runCron();
    expect(await env.ARCHIVE.head(old)).toBeNull();
    expect(await env.ARCHIVE.head(recent)).not.toBeNull();
  });
});
