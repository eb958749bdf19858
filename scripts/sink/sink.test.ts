import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { describe, it } from "vitest";
import { describeTimestamp, formatBody, formatReport, type ReceivedRequest } from "./format.ts";
import { DEFAULT_SINK_PORT, parseSinkOptions } from "./options.ts";
import { answerFor } from "./respond.ts";
import { handleSinkRequest, startSink } from "./server.ts";
import { verifySignature } from "./verify.ts";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const body = JSON.stringify({ type: "call.reported", data: { voiceId: "v1", connected: true } });

function signed(payload = body, id = "dlv_1") {
  const now = new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, now, payload),
  };
}

function request(over: Partial<ReceivedRequest> = {}): ReceivedRequest {
  return { seq: 1, method: "POST", path: "/hook", headers: signed(), body, receivedAt: Date.now(), ...over };
}

describe("parseSinkOptions", () => {
  it("defaults, then env, then flags", () => {
    assert.deepEqual(parseSinkOptions([], {}), {
      port: DEFAULT_SINK_PORT,
      secret: undefined,
      status: 200,
      body: undefined,
      help: false,
    });
    assert.equal(parseSinkOptions([], { SINK_PORT: "9000", SINK_STATUS: "503" }).status, 503);
    assert.equal(parseSinkOptions(["--port", "9001"], { SINK_PORT: "9000" }).port, 9001);
    assert.equal(parseSinkOptions(["--secret", secret], {}).secret, secret);
  });
  it("rejects bad values", () => {
    assert.throws(() => parseSinkOptions(["--port", "http"], {}), /--port must be an integer/);
    assert.throws(() => parseSinkOptions(["--status", "99"], {}), /--status must be an integer from 200/);
    assert.throws(() => parseSinkOptions(["--secret", "hunter2"], {}), /whsec_/);
    assert.throws(() => parseSinkOptions(["--nope"], {}));
  });
});

describe("answerFor", () => {
  it("answers webhooks with JSON and Slack paths with text", () => {
    assert.deepEqual(answerFor("/hook", 200), { status: 200, contentType: "application/json", body: '{"ok":true}' });
    assert.equal(answerFor("/slack/T/B/X", 200).body, "ok");
    assert.equal(answerFor("/slack/T/B/X", 500).body, "internal_error");
    assert.equal(answerFor("/hook", 500).status, 500);
    assert.match(answerFor("/hook", 500).body, /"ok":false/);
    assert.deepEqual(answerFor("/slack/x", 404, "no_service"), {
      status: 404,
      contentType: "text/plain; charset=utf-8",
      body: "no_service",
    });
  });

  it("answers each chat platform's path with the body that platform sends on success", () => {
    assert.equal(JSON.parse(answerFor("/feishu/hook", 200).body).code, 0);
    assert.equal(JSON.parse(answerFor("/dingtalk/robot", 200).body).errcode, 0);
    assert.equal(JSON.parse(answerFor("/wecom/send", 200).body).errcode, 0);
    assert.match(answerFor("/feishu/hook", 500).body, /"ok":false/);
  });
});

describe("verifySignature", () => {
  const webhook = new Webhook(secret);
  it("verifies a Standard Webhooks signature", () => {
    assert.deepEqual(verifySignature(webhook, body, signed()), { state: "verified" });
  });
  it("rejects a changed body or another secret", () => {
    assert.equal(verifySignature(webhook, `${body} `, signed()).state, "invalid");
    const other = new Webhook("whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkgISE=");
    assert.equal(verifySignature(other, body, signed()).state, "invalid");
  });
  it("says when there is nothing to check", () => {
    assert.deepEqual(verifySignature(webhook, "ok", { "content-type": "application/json" }), { state: "unsigned" });
    assert.deepEqual(verifySignature(undefined, body, signed()), { state: "unchecked" });
  });
});

describe("formatReport", () => {
  it("shows the headers that matter, the verdict and the body pretty-printed", () => {
    const handled = handleSinkRequest(request(), { secret, log: () => {} }, new Webhook(secret));
    assert.match(handled.report, /^── #1 \S+ {2}POST \/hook {2}\(\d+ B\) → 200$/m);
    assert.match(handled.report, /^ {2}webhook-id: dlv_1$/m);
    assert.match(handled.report, /^ {2}webhook-timestamp: \d+ \(.+Z, [01] s ago\)$/m);
    assert.match(handled.report, /^ {2}✓ verified$/m);
    assert.match(handled.report, /^ {6}"voiceId": "v1",$/m);
  });
  it("flags an invalid signature", () => {
    const report = formatReport(
      request({ body: "{}" }),
      { state: "invalid", reason: "No matching signature found" },
      answerFor("/hook", 200),
    );
    assert.match(report, /✗ signature invalid: No matching signature found/);
  });
  it("keeps non-JSON bodies as they are", () => {
    assert.equal(formatBody("a=1&b=2", "application/x-www-form-urlencoded"), "a=1&b=2");
    assert.equal(formatBody("", undefined), "(empty body)");
    assert.match(formatBody("{oops", "application/json"), /^\(not valid JSON\) \{oops$/);
  });
  it("reads webhook-timestamp", () => {
    assert.equal(describeTimestamp("1774509748", 1774509751_000), "1774509748 (2026-03-26T07:22:28.000Z, 3 s ago)");
    assert.equal(describeTimestamp("soon", 0), "soon (not Unix seconds)");
  });
});

describe("startSink", () => {
  it("answers over HTTP on 127.0.0.1 and reports what it got", async () => {
    const reports: string[] = [];
    const seen: string[] = [];
    const sink = await startSink({
      port: 0,
      secret,
      log: (r) => reports.push(r),
      onRequest: (req, v) => seen.push(`${req.path} ${v.state}`),
    });
    try {
      const hook = await fetch(`${sink.url}/hook`, { method: "POST", headers: signed(), body });
      assert.equal(hook.status, 200);
      assert.deepEqual(await hook.json(), { ok: true });
      const slack = await fetch(`${sink.url}/slack/T/B/X`, { method: "POST", body: '{"text":"hi"}' });
      assert.equal(await slack.text(), "ok");
      assert.deepEqual(seen, ["/hook verified", "/slack/T/B/X unsigned"]);
      assert.equal(reports.length, 2);
    } finally {
      await sink.close();
    }
  });
});
