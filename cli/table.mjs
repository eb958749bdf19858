// @ts-check

/** Widest a table cell gets before it is truncated. */
export const MAX_CELL_WIDTH = 40;

const wide =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
const zeroWidth = /\p{M}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const unsafe = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Columns `text` takes in a terminal: East Asian wide characters take two, combining marks none.
 * @param {string} text
 */
export function displayWidth(text) {
  let width = 0;
  for (const char of text) width += zeroWidth.test(char) ? 0 : wide.test(char) ? 2 : 1;
  return width;
}

/**
 * `value` as one line of plain text: control and bidi characters (a received value may carry terminal
 * escapes) become spaces; null and undefined become `-`.
 * @param {unknown} value
 */
export function cell(value) {
  if (value === null || value === undefined) return "-";
  return String(value).replace(unsafe, " ");
}

/**
 * `text` cut to at most `max` columns, ending in `…` when cut.
 * @param {string} text
 * @param {number} max
 */
export function truncate(text, max) {
  if (displayWidth(text) <= max) return text;
  let out = "";
  let width = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (width + w > max - 1) break;
    out += char;
    width += w;
  }
  return `${out}…`;
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map();

/**
 * An instant (ISO 8601 text or epoch ms) in `timeZone`, as `2026-03-26 15:00:12 +08:00` (`2026-03-26 07:00:12Z`
 * in UTC); `-` for none.
 * @param {string | number | null | undefined} value
 * @param {string} [timeZone]
 */
export function shortTime(value, timeZone = "UTC") {
  if (value === null || value === undefined) return "-";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return cell(value);
  if (timeZone === "UTC") return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    });
    formats.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  const offset = part.timeZoneName === "GMT" ? "+00:00" : String(part.timeZoneName).replace("GMT", "");
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${offset}`;
}

/** @param {string} text @param {number} width */
const pad = (text, width) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

/**
 * Rows under a header, columns aligned two spaces apart, each cell one line of at most `maxCell` columns.
 * @param {string[]} headers
 * @param {unknown[][]} rows
 * @param {number} [maxCell]
 * @returns {string} One line per row after the header, each ending in a newline
 */
export function formatTable(headers, rows, maxCell = MAX_CELL_WIDTH) {
  const lines = [headers, ...rows.map((row) => headers.map((_, i) => truncate(cell(row[i]), maxCell)))];
  const widths = headers.map((_, i) => Math.max(...lines.map((line) => displayWidth(line[i] ?? ""))));
  return lines
    .map(
      (line) =>
        `${line
          .map((text, i) => pad(text, widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

/**
 * Label and value pairs, values aligned, never truncated (a token must be copied whole).
 * @param {[string, unknown][]} fields
 */
export function formatFields(fields) {
  const width = Math.max(...fields.map(([label]) => displayWidth(label)));
  return fields.map(([label, value]) => `${pad(`${label}:`, width + 1)}  ${cell(value)}\n`).join("");
}
