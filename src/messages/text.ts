const encoder = new TextEncoder();

/** How a platform counts text against a limit. */
export type Measure = (text: string) => number;

/** UTF-16 code units: what most platforms (and `String.length`) call characters. */
export const codeUnits: Measure = (text) => text.length;

/** Bytes of the UTF-8 encoding. */
export const utf8Bytes: Measure = (text) => encoder.encode(text).length;

/** UTF-8 bytes `text` takes inside a JSON string, escapes included: what a size limit on a JSON body counts. */
export const jsonBytes: Measure = (text) => utf8Bytes(JSON.stringify(text)) - 2;

const ellipsis = "…";
const same = (text: string) => text;

/**
 * `raw` escaped with `escapeText` (which must work character by character), cut with `…` so that it measures at most
 * `max`; never splits an escape sequence or a code point.
 */
export function clip(
  raw: string,
  max: number,
  escapeText: (text: string) => string = same,
  measure = codeUnits,
): string {
  const escaped = escapeText(raw);
  if (measure(escaped) <= max) return escaped;
  const room = max - measure(ellipsis);
  let out = "";
  let size = 0;
  for (const char of raw) {
    const piece = escapeText(char);
    const cost = measure(piece);
    if (size + cost > room) break;
    out += piece;
    size += cost;
  }
  return out + ellipsis;
}

/** `value` with every run of whitespace (line breaks included) as one space, trimmed; `null` when nothing is left. */
export function oneLine(value: string | null): string | null {
  const text = value?.replace(/\s+/g, " ").trim();
  return text ? text : null;
}

/** Escapes `&`, `<` and `>` as HTML entities: enough for Slack mrkdwn and Telegram's HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Backslash-escapes what Markdown dialects parse inline (emphasis, code, links, spoilers, `<…>` mentions and
 * tags) and what starts a heading or a quote, so user text shows as typed. Works character by character.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~|[\]<>#]/g, "\\$&");
}
