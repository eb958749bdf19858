import type { SinkAnswer } from "./respond.ts";
import type { Verification } from "./verify.ts";

/** A request as the sink read it. */
export interface ReceivedRequest {
  /** 1 for the first request since the sink started. */
  seq: number;
  method: string;
  /** Path and query, e.g. `/hook?x=1`. */
  path: string;
  /** Lowercased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  /** Epoch ms when the whole body had arrived. */
  receivedAt: number;
}

/** Headers worth showing, in this order; the rest are only counted. */
export const shownHeaders = [
  "content-type",
  "user-agent",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
] as const;

const MAX_BODY_CHARS = 64 * 1024;

function indent(text: string, prefix = "  "): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

function sizeOf(body: string): string {
  const bytes = Buffer.byteLength(body);
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

/** `1774509748 (2026-03-26T07:22:28.000Z, 3 s ago)`: the header's Unix seconds, read. */
export function describeTimestamp(value: string, now: number): string {
  if (!/^\d{1,12}$/.test(value)) return `${value} (not Unix seconds)`;
  const ms = Number(value) * 1000;
  const skew = Math.round((now - ms) / 1000);
  const when = skew >= 0 ? `${skew} s ago` : `${-skew} s in the future`;
  return `${value} (${new Date(ms).toISOString()}, ${when})`;
}

/** The body pretty-printed when it is JSON, as it is otherwise; cut after 64k characters. */
export function formatBody(body: string, contentType: string | undefined): string {
  if (body === "") return "(empty body)";
  let text = body;
  if (contentType?.includes("json") || /^\s*[[{]/.test(body)) {
    try {
      text = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      text = `(not valid JSON) ${body}`;
    }
  }
  if (text.length <= MAX_BODY_CHARS) return text;
  return `${text.slice(0, MAX_BODY_CHARS)}\n… ${text.length - MAX_BODY_CHARS} more characters`;
}

/** One line on the signature: ✓ verified, ✗ signature invalid, or why it was not checked. */
export function formatVerification(verification: Verification): string | undefined {
  switch (verification.state) {
    case "verified":
      return "✓ verified";
    case "invalid":
      return `✗ signature invalid: ${verification.reason}`;
    case "unsigned":
      return "· no webhook-* headers: nothing to verify";
    case "unchecked":
      return undefined;
  }
}

/** The report printed for one request: a header line, the headers that matter, the signature, the body. */
export function formatReport(
  request: ReceivedRequest,
  verification: Verification,
  answer: SinkAnswer,
  now = request.receivedAt,
): string {
  const lines = [
    `── #${request.seq} ${new Date(request.receivedAt).toISOString()}  ${request.method} ${request.path}  ` +
      `(${sizeOf(request.body)}) → ${answer.status}`,
  ];
  for (const name of shownHeaders) {
    const value = request.headers[name];
    if (value === undefined) continue;
    lines.push(`  ${name}: ${name === "webhook-timestamp" ? describeTimestamp(value, now) : value}`);
  }
  const others = Object.keys(request.headers).filter((name) => !(shownHeaders as readonly string[]).includes(name));
  if (others.length > 0) lines.push(`  (+${others.length} other headers: ${others.join(", ")})`);
  const signature = formatVerification(verification);
  if (signature) lines.push(`  ${signature}`);
  lines.push(indent(formatBody(request.body, request.headers["content-type"])));
  return `${lines.join("\n")}\n`;
}
