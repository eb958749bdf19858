import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chatConfigs, render, sampleCall } from "../../../test/chat/kit";
import { REDACTED, redactExchange } from "../redact";
import type { OutboundRequest } from "../types";
import { getDestinationType } from "./registry";
import { generateWebhookSecret } from "./webhook";

/** An answer that echoes the whole request back, as a debugging receiver does. */
const echo = (request: OutboundRequest) => ({
  status: 200,
  headers: new Headers({ "set-cookie": "session=abcdef123456", "x-echo-url": request.url }),
  body: JSON.stringify(request),
});

/** The secret strings a request to a destination of this config carries: config secrets and what is made of them. */
function secretsIn(type: string, config: Record<string, unknown>, request: OutboundRequest): string[] {
  const found: string[] = [];
  for (const field of getDestinationType(type).secretFields) {
    const value = config[field];
    if (typeof value === "string") found.push(value);
    else if (value && typeof value === "object") found.push(...(Object.values(value) as string[]));
  }
  const url = new URL(request.url);
  for (const name of ["access_token", "key", "sign", "sig"]) {
    const v = url.searchParams.get(name);
    if (v) found.push(v);
  }
  if (type !== "webhook") found.push(...url.pathname.split("/").filter((segment) => segment.length >= 12));
  if (request.headers["webhook-signature"]) found.push(...request.headers["webhook-signature"].split(" "));
  if (request.headers.authorization) found.push(request.headers.authorization);
  const body = JSON.parse(request.body);
  if (typeof body.sign === "string") found.push(body.sign);
  return found.filter((s) => s.length >= 6);
}

describe("redactExchange", () => {
  it.each(Object.entries(chatConfigs))(
    "keeps no secret of a %s request, nor of an answer echoing it",
    async (type, config) => {
      const secretful = {
        ...config,
        ...(typeof config.url === "string" && !config.url.includes("?") ? { url: `${config.url}secretpart9876` } : {}),
        ...(typeof config.secret === "string" ? { secret: `${config.secret}Z9y8x7w6` } : {}),
      };
      const adapter = getDestinationType(type);
      const { request } = await render(adapter, adapter.configSchema({ allowHttp: false }).parse(secretful));
      const safe = redactExchange(adapter, secretful, [], request, echo(request));
      const text = JSON.stringify(safe);
      for (const secret of secretsIn(type, secretful, request)) expect(text, secret).not.toContain(secret);
      expect(safe.answer?.headers["set-cookie"]).toBe(REDACTED);
      expect(safe.request.url.startsWith(new URL(request.url).origin)).toBe(true);
    },
  );

  it("shows a chat webhook URL as scheme and host, a Telegram URL with its token out", async () => {
    const slack = getDestinationType("slack");
    const { request } = await render(slack, { url: "https://hooks.slack.com/services/T1/B2/abcdefghijkl" });
    expect(redactExchange(slack, { url: request.url }, [], request, null).request.url).toBe(
      "https://hooks.slack.com/…",
    );
    const telegram = getDestinationType("telegram");
    const config = chatConfigs.telegram as Record<string, unknown>;
    const sent = await render(telegram, config);
    expect(redactExchange(telegram, config, [], sent.request, null).request.url).toBe(
      `https://api.telegram.org/bot${REDACTED}/sendMessage`,
    );
  });

  it("keeps no webhook secret, signature, configured header or previous secret, whatever their values", async () => {
    const webhook = getDestinationType("webhook");
    // Letters and digits both, so a value is never a piece of what redaction writes (keys, "[redacted]", a masked URL).
    const value = fc.stringMatching(/^[A-Za-z0-9]{6,40}$/).filter((s) => /\d/.test(s) && /[A-Za-z]/.test(s));
    await fc.assert(
      fc.asyncProperty(value, value, fc.boolean(), async (auth, custom, rotating) => {
        const secret = generateWebhookSecret();
        const previous = generateWebhookSecret();
        const config = webhook.configSchema({ allowHttp: true }).parse({
          url: "http://127.0.0.1:9/hook?token=querysecret42",
          secret,
          headers: { authorization: `Bearer ${auth}`, "x-custom-key": custom },
        });
        const request = await webhook.render({
          config,
          call: sampleCall,
          options: { timezone: "UTC", locale: "en", maskCallee: false },
          deliveryId: "dlv_prop",
          now: 1_700_000_000_000,
          extraSecrets: rotating ? [previous] : [],
        });
        const safe = redactExchange(webhook, config, [previous], request, echo(request));
        const text = JSON.stringify(safe);
        for (const s of [secret, previous, auth, custom, "querysecret42", ...secretsIn("webhook", config, request)])
          expect(text).not.toContain(s);
        expect(safe.request.headers).toMatchObject({
          authorization: REDACTED,
          "x-custom-key": REDACTED,
          "webhook-signature": REDACTED,
          "webhook-id": "dlv_prop",
        });
        expect(safe.request.url).toBe("http://127.0.0.1:9/…");
      }),
      { numRuns: 50 },
    );
  });

  it("cuts a secret URL echoed cut short (no whole secret left to find) to its scheme and host", async () => {
    const teams = getDestinationType("teams");
    const config = chatConfigs.teams as Record<string, unknown>;
    const { request } = await render(teams, config);
    const cut = `HTTP 500: {"url":"${request.url.slice(0, 70)}`;
    const safe = redactExchange(teams, config, [], request, null);
    expect(safe.hide(cut)).toBe(`HTTP 500: {"url":"${new URL(request.url).origin}/…`);
  });

  it("leaves the message itself readable", async () => {
    const slack = getDestinationType("slack");
    const config = { url: "https://hooks.slack.com/services/T1/B2/abcdefghijkl" };
    const { request } = await render(slack, config);
    const safe = redactExchange(slack, config, [], request, { status: 200, headers: new Headers(), body: "ok" });
    expect(safe.request.body).toBe(request.body);
    expect(safe.answer).toEqual({ status: 200, headers: {}, body: "ok" });
  });
});
