import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { templateParts } from "../../../test/chat/kit";
import sample from "../../../test/fixtures/sample-push.json";
import { normalize } from "../../model/calls/normalize";
import { parseRecord } from "../../model/calls/record-schema";
import type { ConfigContext, DestinationOptions, ReceiverResponse } from "../types";
import { generateWebhookSecret, type WebhookConfig, webhook } from "./webhook";

const parsed = parseRecord(sample.array[0]);
if (!parsed.ok) throw new Error(parsed.error);
const call = normalize(parsed.report, "src_default", 1774509790000);
const options: DestinationOptions = { timezone: "Asia/Shanghai", locale: "en", maskCallee: false };
const prod: ConfigContext = { allowHttp: false };

function render(config: WebhookConfig, extraSecrets: string[] = [], now = Date.now()) {
  return webhook.render({ config, call, options, deliveryId: "dlv_test123", now, extraSecrets });
}

function answer(status: number, headers: Record<string, string> = {}, body = ""): ReceiverResponse {
  return { status, headers: new Headers(headers), body };
}

describe("webhook config", () => {
  it("generates a Standard Webhooks secret when none is given", () => {
    const config = webhook.configSchema(prod).parse({ url: "https://example.com/hook" });
    expect(config.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(config.secret.slice(6))).toHaveLength(32);
    expect(config.headers).toBeUndefined();
    expect(generateWebhookSecret()).not.toBe(generateWebhookSecret());
  });

  it("keeps a given secret and checks its form", () => {
    const secret = generateWebhookSecret();
    expect(webhook.configSchema(prod).parse({ url: "https://example.com/", secret }).secret).toBe(secret);
    for (const bad of ["abc", "whsec_", "whsec_not-base64!", `whsec_${btoa("too short")}`, secret.slice(6)]) {
      const result = webhook.configSchema(prod).safeParse({ url: "https://example.com/", secret: bad });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe("must be whsec_ followed by the base64 of 24 to 64 random bytes");
    }
  });

  it("applies the URL rules", () => {
    const result = webhook.configSchema(prod).safeParse({ url: "http://example.com/" });
    expect(result.error?.issues).toMatchObject([{ path: ["url"], message: expect.stringMatching(/must use https/) }]);
  });

  it("takes extra headers, lowercased", () => {
    const config = webhook
      .configSchema(prod)
      .parse({ url: "https://example.com/", headers: { Authorization: "Bearer abc", "X-Tenant": "42" } });
    expect(config.headers).toEqual({ authorization: "Bearer abc", "x-tenant": "42" });
  });

  it("refuses reserved, invalid and duplicate headers", () => {
    const issues = (headers: Record<string, unknown>) =>
      webhook
        .configSchema(prod)
        .safeParse({ url: "https://example.com/", headers })
        .error?.issues.map((i) => i.message);
    expect(issues({ Host: "evil.test" })).toEqual(['header "Host" is set by callrelay and cannot be configured']);
    for (const name of ["content-length", "Content-Type", "webhook-signature", "Webhook-Id", "Connection", "proxy-x"]) {
      expect(issues({ [name]: "x" })).toEqual([`header "${name}" is set by callrelay and cannot be configured`]);
    }
    expect(issues({ "bad name": "x" })).toEqual(['header "bad name" is not a valid header name']);
    expect(issues({ "x-a": "one\r\nx-b: two" })).toEqual(['header "x-a" must not contain line breaks']);
    expect(issues({ "X-A": "1", "x-a": "2" })).toEqual(['header "x-a" is given twice']);
    expect(issues({ "x-a": 1 })).toEqual(["must be a string"]);
    expect(issues(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-${i}`, "v"])))).toEqual([
      "at most 20 headers",
    ]);
  });

  it("refuses unknown keys", () => {
    const result = webhook.configSchema(prod).safeParse({ url: "https://example.com/", secert: "typo" });
    expect(result.success).toBe(false);
  });

  it("masks the secret, the URL and the headers in API reads", () => {
    expect(webhook.secretFields).toEqual(["secret", "url", "headers"]);
  });
});

describe("webhook render", () => {
  const secret = generateWebhookSecret();
  const config: WebhookConfig = { url: "https://example.com/hook", secret, headers: { authorization: "Bearer abc" } };

  it("POSTs the call as a Standard Webhooks message a receiver can verify", async () => {
    const now = Date.now();
    const request = await render(config, [], now);
    expect(request.url).toBe("https://example.com/hook");
    expect(request.headers).toEqual({
      authorization: "Bearer abc",
      "content-type": "application/json",
      "user-agent": "callrelay/0.1",
      "webhook-id": "dlv_test123",
      "webhook-timestamp": String(Math.floor(now / 1000)),
      "webhook-signature": expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
    });
    const payload = new Webhook(secret).verify(request.body, request.headers);
    expect(payload).toEqual({ type: "call.reported", timestamp: new Date(now).toISOString(), data: call });
    expect(Object.keys((payload as { data: object }).data)).toEqual(Object.keys(call));
  });

  it("carries every field of the sample record", async () => {
    const { data } = JSON.parse((await render(config)).body);
    expect(data).toMatchObject({
      voiceId: "260326152224160100152",
      callee: "2222222228613200000007",
      intent: "Connected-Customer No Responsern",
      answerTime: 1774509748000,
      callDuration: 35,
      connected: true,
      callStatusLabel: "connected",
      callDescriptionLabel: "valid_call",
      sourceId: "src_default",
      receivedAt: 1774509790000,
      calledInfo: null,
    });
  });

  it("signs with every secret during a rotation", async () => {
    const previous = generateWebhookSecret();
    const request = await render(config, [previous, secret]);
    expect(request.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(() => new Webhook(secret).verify(request.body, request.headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(request.body, request.headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(request.body, request.headers)).toThrow(
      "No matching signature found",
    );
  });

  it("fails verification when the body is altered", async () => {
    const request = await render(config);
    expect(() => new Webhook(secret).verify(request.body.replace("35", "36"), request.headers)).toThrow();
  });
});

describe("webhook template", () => {
  const secret = generateWebhookSecret();
  const config: WebhookConfig = { url: "https://example.com/hook", secret };
  const source =
    '{"event":"call","id":"{{voiceId}}","phone":{{callee}},"text":"{{intent}} ({{intentCode}})","answeredAt":{{answerTime}},"seconds":{{callDuration}},"ok":{{connected}},"task":{{sourceTaskId}}}';

  const renderWith = (changes: Partial<typeof call> = {}, opts: Partial<DestinationOptions> = {}) =>
    webhook.render({
      config,
      call: { ...call, ...changes },
      options: { ...options, ...opts },
      deliveryId: "dlv_test123",
      now: Date.now(),
      extraSecrets: [],
      template: templateParts(source),
    });

  it("is the signed body: the call's values as stored, the callee whole", async () => {
    const request = await renderWith({ intent: 'Said "call me"\n' });
    expect(request.body).toBe(
      '{"event":"call","id":"260326152224160100152","phone":"2222222228613200000007","text":"Said \\"call me\\"\\n (302)","answeredAt":1774509748000,"seconds":35,"ok":true,"task":null}',
    );
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual({
      event: "call",
      id: "260326152224160100152",
      phone: "2222222228613200000007",
      text: 'Said "call me"\n (302)',
      answeredAt: 1774509748000,
      seconds: 35,
      ok: true,
      task: null,
    });
  });

  it("masks the callee when the destination says so", async () => {
    expect(JSON.parse((await renderWith({}, { maskCallee: true })).body).phone).toBe("222***************0007");
    expect(JSON.parse((await renderWith({ callee: null }, { maskCallee: true })).body).phone).toBeNull();
  });

  it("is refused unless it gives JSON, with the sample call and with a call lacking every field", () => {
    expect(webhook.checkTemplate(templateParts(source))).toBeUndefined();
    expect(webhook.checkTemplate(templateParts('{"a":{{intent}}'))).toMatch(
      /^is not valid JSON once filled with the sample call: /,
    );
    expect(webhook.checkTemplate(templateParts('{"seconds":-{{callDuration}}}'))).toMatch(
      /^is not valid JSON once filled with a call that lacks every field: /,
    );
  });
});

describe("webhook classify", () => {
  it("delivers on 2xx", () => {
    for (const status of [200, 201, 202, 204])
      expect(webhook.classify(answer(status))).toEqual({ outcome: "delivered" });
  });

  it("fails for good on 410 Gone", () => {
    expect(webhook.classify(answer(410, {}, "endpoint removed"))).toEqual({
      outcome: "failed",
      reason: "HTTP 410: endpoint removed",
    });
  });

  it("retries 429 and 503 after their Retry-After", () => {
    expect(webhook.classify(answer(429, { "retry-after": "30" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 429",
      retryAfterSeconds: 30,
    });
    expect(webhook.classify(answer(503, { "Retry-After": "100000" }, "maintenance"))).toEqual({
      outcome: "retry",
      reason: "HTTP 503: maintenance",
      retryAfterSeconds: 86400,
    });
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const verdict = webhook.classify(answer(503, { "retry-after": inAMinute }));
    expect(verdict).toMatchObject({ outcome: "retry", retryAfterSeconds: expect.any(Number) });
    expect((verdict as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(55);
    expect((verdict as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(61);
    expect(webhook.classify(answer(429, { "retry-after": "tomorrow" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 429",
    });
  });

  it("retries every other status on the schedule", () => {
    for (const status of [301, 400, 401, 403, 404, 408, 422, 500, 502, 504]) {
      expect(webhook.classify(answer(status, { "retry-after": "5" }))).toEqual({
        outcome: "retry",
        reason: `HTTP ${status}`,
      });
    }
  });
});
