import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import sampleText from "../fixtures/sample-push.json?raw";
import { hookUrl, installReceiver } from "../support/receiver";
import { attemptsOf, createDestination, deliveriesOf, push, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const customerFilter = { connected: true, intentCode: { $in: ["302", "303"] } };

describe("forwarding matching calls", () => {
  it("sends the sample push to a webhook once, signed so standardwebhooks verifies it", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url }, filter: customerFilter });
    expect(dest.secret).toMatch(/^whsec_/);

    expect((await push(sampleText)).status).toBe(200);
    const delivery = await waitForStatus(dest.id, "260326152224160100152", "delivered");

    const [request, ...more] = receiver.to(url);
    expect(more).toEqual([]);
    expect(request?.headers["webhook-id"]).toBe(delivery.id);
    const payload = new Webhook(dest.secret as string).verify(request?.body as string, request?.headers ?? {}) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(payload.type).toBe("call.reported");
    expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);
    expect(payload.data).toMatchObject({
      voiceId: "260326152224160100152",
      connected: true,
      intentCode: "302",
      intent: "Connected-Customer No Responsern",
      callee: "2222222228613200000007",
      answerTime: 1774509748000,
      callStatusLabel: "connected",
      callDescriptionLabel: "valid_call",
      sourceId: "src_default",
    });
    expect(await attemptsOf(delivery.id)).toMatchObject([{ status_code: 200, outcome: "delivered", error: null }]);
  });

  it("sends extra configured headers", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url, headers: { "x-team": "sales" } } });
    const r = record();
    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    expect(receiver.to(url)[0]?.headers["x-team"]).toBe("sales");
  });

  it("masks the callee of a webhook without a template when maskCallee is set", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url }, options: { maskCallee: true } });
    const r = record({ callee: "13800138000" });
    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const [request] = receiver.to(url);
    expect(request?.body).not.toContain("13800138000");
    expect((JSON.parse(request?.body as string) as { data: { callee: string } }).data.callee).toBe("138****8000");
  });

  it("sends nothing for calls the filter does not match", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url }, filter: customerFilter });
    const other = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const miss = [record({ intentCode: "301" }), record({ callStatusNew: 3 }), record({ intentCode: null })];
    await push({ array: miss });
    await waitForStatus(other.id, miss[2]?.voiceId as string, "delivered");
    expect(await rows("SELECT 1 FROM deliveries WHERE destination_id = ?", dest.id)).toEqual([]);
    expect(receiver.to(url)).toEqual([]);
  });

  it("never sends a call twice when it is pushed again", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url } });
    const r = record();
    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    await push({ array: [{ ...r, intent: "changed" }] });
    const marker = record();
    await push({ array: [marker] });
    await waitForStatus(dest.id, marker.voiceId, "delivered");
    expect(await deliveriesOf(dest.id, r.voiceId)).toHaveLength(1);
    expect(receiver.to(url).filter((req) => req.body.includes(r.voiceId))).toHaveLength(1);
  });

  it("only forwards calls from the destination's sources", async () => {
    installReceiver();
    await env.DB.prepare("INSERT INTO sources (id, name, token_hash, created_at, updated_at) VALUES (?, ?, ?, 0, 0)")
      .bind("src_other", "other", "0".repeat(64))
      .run();
    const mine = await createDestination({ type: "webhook", config: { url: hookUrl() }, sourceIds: ["src_default"] });
    const theirs = await createDestination({ type: "webhook", config: { url: hookUrl() }, sourceIds: ["src_other"] });
    const r = record();
    await push({ array: [r] });
    await waitForStatus(mine.id, r.voiceId, "delivered");
    expect(await deliveriesOf(theirs.id, r.voiceId)).toEqual([]);
  });

  it("posts a Block Kit message to Slack", async () => {
    const receiver = installReceiver();
    const url = "https://hooks.slack.com/services/T000/B000/XXXX";
    const dest = await createDestination({ type: "slack", config: { url }, filter: customerFilter });
    const r = record({ intent: "Wants a callback <!channel>" });
    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const body = JSON.parse(receiver.to(url)[0]?.body ?? "{}");
    expect(body.text).toContain("Wants a callback &lt;!channel&gt;");
    expect(body.blocks[0]).toMatchObject({ type: "header" });
    expect(JSON.stringify(body)).not.toContain("2222222228613200000007");
  });
});
