import { z } from "zod";
import { maskPhone } from "../../lib/mask";
import type { NormalizedCall } from "../../model/calls/fields";
import { sampleCall } from "../../model/calls/sample-call";
import { classifyHttpAnswer, userAgent } from "../http-answer";
import { hmacSha256Base64, toBase64 } from "../signing";
import { fillTemplate, type TemplatePart, writeJson } from "../template";
import type { DestinationType, OutboundRequest } from "../types";
import { destinationUrlSchema } from "../url-rules";

const secretPrefix = "whsec_";
const secretBytes = { min: 24, max: 64, generated: 32 };
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const reservedHeaders = new Set([
  "connection",
  "content-encoding",
  "content-length",
  "content-type",
  "expect",
  "host",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
]);
const maxHeaders = 20;
const maxHeaderValueLength = 4096;
const encoder = new TextEncoder();

function secretKey(secret: string): Uint8Array | undefined {
  if (!secret.startsWith(secretPrefix)) return undefined;
  const encoded = secret.slice(secretPrefix.length);
  if (!base64Pattern.test(encoded)) return undefined;
  const key = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  return key.length >= secretBytes.min && key.length <= secretBytes.max ? key : undefined;
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes (the Standard Webhooks format). */
export function generateWebhookSecret(): string {
  return secretPrefix + toBase64(crypto.getRandomValues(new Uint8Array(secretBytes.generated)));
}

function headerProblem(name: string, value: string): string | undefined {
  const lower = name.toLowerCase();
  if (!headerNamePattern.test(name)) return "is not a valid header name";
  if (reservedHeaders.has(lower) || lower.startsWith("proxy-") || lower.startsWith("webhook-")) {
    return "is set by callrelay and cannot be configured";
  }
  if (/[\r\n\0]/.test(value)) return "must not contain line breaks";
  if (value.length > maxHeaderValueLength) return `must be at most ${maxHeaderValueLength} characters`;
  return undefined;
}

const headersSchema = z
  .record(z.string(), z.string({ error: "must be a string" }))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > maxHeaders) ctx.addIssue({ code: "custom", message: `at most ${maxHeaders} headers` });
    const seen = new Set<string>();
    for (const name of names) {
      const lower = name.toLowerCase();
      const problem = seen.has(lower) ? "is given twice" : headerProblem(name, headers[name] ?? "");
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: `header "${name}" ${problem}` });
      seen.add(lower);
    }
  })
  .transform((headers) =>
    Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
  );

/** A `webhook` destination's settings. */
export type WebhookConfig = {
  url: string;
  /** `whsec_` + base64 key; generated when not given. */
  secret: string;
  /** Extra request headers, e.g. `authorization`; names lowercased. */
  headers?: Record<string, string>;
};

async function signature(secret: string, content: Uint8Array): Promise<string> {
  const raw = secretKey(secret);
  if (!raw) throw new Error("webhook secret is not in whsec_<base64> form");
  return `v1,${await hmacSha256Base64(raw, content)}`;
}

/** `body` POSTed with Standard Webhooks headers, signed with the secret (and any still accepted during a rotation). */
async function signedRequest(
  config: WebhookConfig,
  attempt: { deliveryId: string; now: number; extraSecrets: string[] },
  body: string,
): Promise<OutboundRequest> {
  const timestamp = Math.floor(attempt.now / 1000);
  const content = encoder.encode(`${attempt.deliveryId}.${timestamp}.${body}`);
  const secrets = [...new Set([config.secret, ...attempt.extraSecrets])];
  const signatures = await Promise.all(secrets.map((secret) => signature(secret, content)));
  return {
    url: config.url,
    headers: {
      ...config.headers,
      "content-type": "application/json",
      "user-agent": userAgent,
      "webhook-id": attempt.deliveryId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatures.join(" "),
    },
    body,
  };
}

/** Why a JSON-body template gives no JSON: filled with the sample call, or with a call that lacks every field. */
function templateProblem(parts: readonly TemplatePart[]): string | undefined {
  const sample = sampleCall("src_sample", 0);
  const empty = Object.fromEntries(Object.keys(sample).map((field) => [field, null])) as unknown as NormalizedCall;
  for (const [call, what] of [
    [sample, "the sample call"],
    [empty, "a call that lacks every field"],
  ] as const) {
    try {
      JSON.parse(fillTemplate(parts, call, writeJson));
    } catch (err) {
      return `is not valid JSON once filled with ${what}: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/**
 * Signed JSON POSTs per Standard Webhooks: `{"type":"call.reported","timestamp":…,"data":{…call}}` with
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` (one `v1,` signature per secret during a rotation).
 * A template replaces the body: its JSON filled with the call's values as stored (times in epoch ms).
 */
export const webhook: DestinationType<WebhookConfig> = {
  type: "webhook",
  chat: false,
  configSchema: (ctx) =>
    z.strictObject({
      url: destinationUrlSchema(ctx),
      secret: z
        .string({ error: "must be a string" })
        .trim()
        .refine((s) => secretKey(s) !== undefined, {
          message: `must be ${secretPrefix} followed by the base64 of ${secretBytes.min} to ${secretBytes.max} random bytes`,
        })
        .default(generateWebhookSecret),
      headers: headersSchema.optional(),
    }),
  secretFields: ["secret", "url", "headers"],
  render({ config, call, options, deliveryId, now, extraSecrets, template }) {
    const body = template
      ? fillTemplate(template, call, (field, value, inString) =>
          writeJson(field, field === "callee" && options.maskCallee ? maskPhone(call.callee) : value, inString),
        )
      : JSON.stringify({ type: "call.reported", timestamp: new Date(now).toISOString(), data: call });
    return signedRequest(config, { deliveryId, now, extraSecrets }, body);
  },
  renderEvent: ({ config, event, deliveryId, now, extraSecrets }) =>
    signedRequest(
      config,
      { deliveryId, now, extraSecrets },
      JSON.stringify({ type: event.type, timestamp: new Date(event.createdAt).toISOString(), data: event.data }),
    ),
  checkTemplate: templateProblem,
  classify: (response) => classifyHttpAnswer(response),
};
