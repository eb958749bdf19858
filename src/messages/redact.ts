import type { AnswerAsReceived, RequestAsSent } from "../storage/attempt-details";
import type { DestinationType, OutboundRequest, ReceiverResponse } from "./types";
import { maskUrl } from "./url-rules";

/** What stands in for a secret in a stored or shown request. */
export const REDACTED = "[redacted]";

/** Headers that carry a credential or a signature whatever the destination, in a request or an answer. */
const credentialHeaders = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "webhook-signature",
  "x-api-key",
]);

/** Top-level keys of a JSON body that carry a signature (Feishu's signed cards: `sign`). */
const signatureKeys = ["sign"];

/** Shorter values are not searched for in text: they would match by chance (and say little on their own). */
const MIN_SECRET_CHARS = 6;
/**
 * Shorter pieces of a URL (a path segment, a query value) are not taken for secrets: platforms' tokens are 20 to 70
 * characters, and a word like `archived` must stay readable in an error.
 */
const MIN_URL_PART_CHARS = 12;

const urlPiece = (part: string) => part.length >= MIN_URL_PART_CHARS;

const isUrlField = (field: string) => field === "url" || field.endsWith("Url");

/**
 * A URL's secret-looking parts: the whole, its path and query, and each query value and path segment of
 * {@link MIN_URL_PART_CHARS} or more.
 */
function urlParts(value: string): string[] {
  const url = URL.parse(value);
  if (!url) return [value];
  const pieces = [
    ...url.searchParams.values(),
    ...url.search
      .slice(1)
      .split("&")
      .map((pair) => pair.slice(pair.indexOf("=") + 1)),
    ...url.pathname.split("/"),
  ];
  return [value, `${url.pathname}${url.search}`, ...pieces.filter(urlPiece)];
}

/**
 * Every URL on the host of a secret URL, in any text, cut to its scheme and host: an answer may echo the URL
 * truncated (an error keeps the start of a body), and then no whole secret is there to find.
 */
function urlsOn(origins: readonly string[]): (text: string) => string {
  if (origins.length === 0) return (text) => text;
  const pattern = new RegExp(
    `(${origins.map((o) => o.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})[^\\s"'<>\\\\]*`,
    "g",
  );
  return (text) => text.replace(pattern, "$1/…");
}

function bodySignatures(body: string): string[] {
  if (!body.startsWith("{")) return [];
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return signatureKeys.flatMap((key) => (typeof parsed[key] === "string" ? [parsed[key] as string] : []));
  } catch {
    return [];
  }
}

/**
 * The secrets one request carries: its destination's secret config fields (a chat webhook URL's path and query
 * included), signing secrets still accepted during a rotation, the values of credential and destination-configured
 * headers (each signature of `webhook-signature` on its own too), the request URL's query values and a signature in
 * its body. Longest first, each also as it reads percent-encoded.
 */
function secretsOf(
  type: DestinationType,
  config: Record<string, unknown>,
  extraSecrets: readonly string[],
  request: OutboundRequest,
  configured: ReadonlySet<string>,
): string[] {
  const found: string[] = [...extraSecrets];
  for (const field of type.secretFields) {
    const value = config[field];
    if (typeof value === "string") found.push(...(isUrlField(field) ? urlParts(value) : [value]));
    else if (value && typeof value === "object")
      found.push(...Object.values(value).filter((v): v is string => typeof v === "string"));
  }
  for (const [name, value] of Object.entries(request.headers)) {
    if (!credentialHeaders.has(name.toLowerCase()) && !configured.has(name.toLowerCase())) continue;
    found.push(value, ...value.split(/[\s,]+/));
  }
  const url = URL.parse(request.url);
  if (url) found.push(...[...url.searchParams.values()].filter(urlPiece));
  found.push(...bodySignatures(request.body));
  const all = new Set(found.flatMap((s) => [s, encodeURIComponent(s)]).filter((s) => s.length >= MIN_SECRET_CHARS));
  return [...all].sort((a, b) => b.length - a.length);
}

function hideAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A request as sent and its answer, made safe to keep and show: credential and signature headers (and the headers the
 * destination configures) read {@link REDACTED}; a URL that is itself a secret (every chat webhook URL, a webhook's
 * URL) shows only its scheme and host, as the admin API shows it; and every secret the request carried (see
 * `secretsOf`) is replaced wherever it appears, in the URL, headers and body, and in the answer too (a receiver may
 * echo what it got). `hide` does that last part to any other text of the attempt (its error, the answer's start kept
 * in D1).
 */
export function redactExchange(
  type: DestinationType,
  config: Record<string, unknown>,
  extraSecrets: readonly string[],
  request: OutboundRequest,
  answer: ReceiverResponse | null,
): { request: RequestAsSent; answer: AnswerAsReceived | null; hide: (text: string) => string } {
  const headers = config.headers;
  const configured = new Set(
    type.secretFields.includes("headers") && headers && typeof headers === "object"
      ? Object.keys(headers).map((name) => name.toLowerCase())
      : [],
  );
  const secretUrls = type.secretFields.flatMap((field) => {
    const value = config[field];
    return isUrlField(field) && typeof value === "string" ? [value] : [];
  });
  const cutUrls = urlsOn(secretUrls.flatMap((u) => URL.parse(u)?.origin ?? []));
  const secrets = secretsOf(type, config, extraSecrets, request, configured);
  const hide = (text: string) => cutUrls(hideAll(text, secrets));
  const safeHeaders = (entries: Iterable<[string, string]>) =>
    Object.fromEntries(
      [...entries].map(([name, value]) => [
        name.toLowerCase(),
        credentialHeaders.has(name.toLowerCase()) || configured.has(name.toLowerCase()) ? REDACTED : hide(value),
      ]),
    );
  const urlIsSecret = secretUrls.length > 0;
  return {
    request: {
      method: "POST",
      url: urlIsSecret ? maskUrl(request.url) : hide(request.url),
      headers: safeHeaders(Object.entries(request.headers)),
      body: hide(request.body),
    },
    answer: answer && {
      status: answer.status,
      headers: safeHeaders(answer.headers.entries()),
      body: hide(answer.body),
    },
    hide,
  };
}
