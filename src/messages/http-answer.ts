import { MAX_RETRY_AFTER_SECONDS } from "../model/backoff";
import type { OutboundRequest, ReceiverResponse, Verdict } from "./types";

/** The `user-agent` of every request callrelay sends. */
export const userAgent = "callrelay/0.1";

/** A JSON POST to `url` with callrelay's usual headers. */
export function jsonRequest(url: string, payload: unknown): OutboundRequest {
  return {
    url,
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify(payload),
  };
}

/**
 * Seconds to wait from a `Retry-After` value: delay-seconds or an HTTP-date, capped at 24 h; `undefined` when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else if (/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.max(0, Math.ceil((at - now) / 1000));
  } else return undefined;
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/** Seconds to wait from a number in a JSON answer (a `retry_after`), rounded up and capped at 24 h. */
export function jsonRetryAfter(value: unknown): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(Math.ceil(value), MAX_RETRY_AFTER_SECONDS);
}

/** A receiver's answer in one line, for logs and `disabledReason`: `HTTP 500: <start of the body>`. */
export function describeAnswer(response: ReceiverResponse): string {
  const body = response.body.replace(/\s+/g, " ").trim().slice(0, 200);
  return body ? `HTTP ${response.status}: ${body}` : `HTTP ${response.status}`;
}

/**
 * The generic reading of an HTTP answer: 2xx delivered; 410 Gone failed; 429 and 503 retried after their
 * `Retry-After`; anything else retried on the usual schedule.
 */
export function classifyHttpAnswer(response: ReceiverResponse, now = Date.now()): Verdict {
  const { status } = response;
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  const reason = describeAnswer(response);
  if (status === 410) return { outcome: "failed", reason };
  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"), now);
    if (retryAfterSeconds !== undefined) return { outcome: "retry", reason, retryAfterSeconds };
  }
  return { outcome: "retry", reason };
}

/** The body as a JSON object, or `undefined` when it is not one. */
export function readJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** How a chat platform that answers errors as `{"<code>": n, "<message>": "…"}` (often with HTTP 200) reports. */
export interface CodeAnswerRules {
  /** The platform's name, for reasons: `Feishu`. */
  platform: string;
  /** Fields holding the result code, first present wins: `["code", "StatusCode"]`. */
  codeFields: readonly string[];
  messageFields: readonly string[];
  /** Codes retrying cannot fix, with what they mean: the destination gets disabled. */
  permanent: ReadonlyMap<number, string>;
  /** Codes that mean "too many messages", with how long the platform's window or block lasts. */
  rateLimited: ReadonlyMap<number, number>;
}

function firstOf<T>(json: Record<string, unknown>, fields: readonly string[], kind: "number" | "string") {
  for (const field of fields) if (typeof json[field] === kind) return json[field] as T;
  return undefined;
}

/**
 * Reads an answer by its result code: 2xx with code 0 delivered; a permanent code failed; a rate-limit code
 * retried after the platform's window; another code, or no code, retried on the usual schedule; a non-2xx status
 * without a known code read as {@link classifyHttpAnswer} does.
 */
export function classifyCodeAnswer(response: ReceiverResponse, rules: CodeAnswerRules, now = Date.now()): Verdict {
  const json = readJsonObject(response.body);
  const code = json && firstOf<number>(json, rules.codeFields, "number");
  const ok = response.status >= 200 && response.status < 300;
  if (code === undefined) {
    if (!ok) return classifyHttpAnswer(response, now);
    return { outcome: "retry", reason: `${rules.platform} gave no result code: ${describeAnswer(response)}` };
  }
  if (code === 0) return ok ? { outcome: "delivered" } : classifyHttpAnswer(response, now);
  const message = (json && firstOf<string>(json, rules.messageFields, "string"))?.replace(/\s+/g, " ").trim();
  const answered = `${rules.platform} answered ${code}${message ? ` ${message.slice(0, 200)}` : ""}`;
  const meaning = rules.permanent.get(code);
  if (meaning) return { outcome: "failed", reason: `${answered}: ${meaning}` };
  const window = rules.rateLimited.get(code);
  if (window !== undefined) return { outcome: "retry", reason: answered, retryAfterSeconds: window };
  return { outcome: "retry", reason: answered };
}
