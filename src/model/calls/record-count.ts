const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COLON = 58;
const ARRAY_KEY = '"array"';

/** A key as JSON text, its escapes (`"\u0061rray"`) read. */
function keyText(raw: string): string {
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}

/**
 * How many elements the `array` of a push body holds, counted in one pass over the text without building it (no
 * object per record), or `Infinity` as soon as there are more than `limit`. For a body that is valid JSON it is the
 * length `JSON.parse(body).array` has (when that is an array; 0 otherwise); for any other text a number the parse
 * would refuse anyway. So a push of 700,000 tiny records is refused before anything allocates them.
 */
export function countPushRecords(body: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  /** The last key read directly inside the top-level object, while its value has not started. */
  let lastKey = "";
  let afterColon = false;
  /** Whether the depth-2 container being read is the `array` member's array. */
  let inRecords = false;
  let sawElement = false;
  let count = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      // A string: jump to its closing quote (one not escaped by an odd run of backslashes).
      const start = i;
      for (;;) {
        i = body.indexOf('"', i + 1);
        if (i < 0) return count > limit ? Number.POSITIVE_INFINITY : count;
        let backslashes = 0;
        while (body.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      if (depth === 1 && !afterColon) lastKey = keyText(body.slice(start, i + 1));
      else if (inRecords && depth === 2) sawElement = true;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 1 && afterColon && c === OPEN_ARRAY && lastKey === ARRAY_KEY) {
        inRecords = true;
        sawElement = false;
      } else if (inRecords && depth === 2) sawElement = true;
      depth++;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (inRecords && depth === 1) {
        inRecords = false;
        if (sawElement) count++;
      }
      continue;
    }
    if (depth === 1 && c === COLON) {
      afterColon = true;
      if (lastKey === ARRAY_KEY) count = 0;
    } else if (depth === 1 && c === COMMA) {
      afterColon = false;
      lastKey = "";
    } else if (inRecords && depth === 2) {
      if (c === COMMA) {
        count++;
        if (count > limit) return Number.POSITIVE_INFINITY;
      } else if (c > 32) sawElement = true;
    }
  }
  return count > limit ? Number.POSITIVE_INFINITY : count;
}
