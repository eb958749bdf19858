/** The outcome of reading one upstream value: the value, or why it cannot be read. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const fail = (error: string): Read<never> => ({ ok: false, error });

/** Latest instant a time may denote: 9999-12-31T23:59:59.999Z. */
const MAX_EPOCH_MS = 253_402_300_799_999;
const UTC8_OFFSET_MS = 8 * 3600 * 1000;
const LOCAL_TIME = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})$/;

const isAbsent = (v: unknown) => v === undefined || v === null || v === "";

function describe(v: unknown): string {
  const text =
    typeof v === "string"
      ? JSON.stringify(v)
      : typeof v === "object"
        ? Array.isArray(v)
          ? "an array"
          : "an object"
        : String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A string field: strings as they are, finite numbers as their decimal text; `""` and `null` are absent. */
export function readString(v: unknown): Read<string | null> {
  if (isAbsent(v)) return ok(null);
  if (typeof v === "string") return ok(v);
  if (typeof v === "number" && Number.isFinite(v)) return ok(String(v));
  return fail(`expected a string, got ${describe(v)}`);
}

/** An integer field: a safe integer, or a string holding one. */
export function readInt(v: unknown): Read<number | null> {
  if (isAbsent(v)) return ok(null);
  if (typeof v === "number") return Number.isSafeInteger(v) ? ok(v) : fail(`expected an integer, got ${describe(v)}`);
  if (typeof v === "string" && /^\s*[+-]?\d{1,16}\s*$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return ok(n);
  }
  return fail(`expected an integer, got ${describe(v)}`);
}

/**
 * A time field, as UTC epoch milliseconds. Accepts epoch ms (number or digits), and the platform's
 * local time (UTC+8) as `yyyyMMddHHmmss` or `yyyy-MM-dd HH:mm:ss`.
 */
export function readTime(v: unknown): Read<number | null> {
  if (isAbsent(v)) return ok(null);
  if (typeof v === "number") {
    return Number.isSafeInteger(v) && v >= 0 && v <= MAX_EPOCH_MS ? ok(v) : fail(`expected a time, got ${describe(v)}`);
  }
  if (typeof v !== "string") return fail(`expected a time, got ${describe(v)}`);
  const s = v.trim();
  if (/^\d{1,13}$/.test(s)) return ok(Number(s));
  const m = LOCAL_TIME.exec(s);
  if (m && (s.length === 14 || s.length === 19)) {
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const ms = Date.UTC(year, month - 1, day, hour, minute, second) - UTC8_OFFSET_MS;
    const back = new Date(ms + UTC8_OFFSET_MS);
    const valid =
      back.getUTCFullYear() === year &&
      back.getUTCMonth() === month - 1 &&
      back.getUTCDate() === day &&
      back.getUTCHours() === hour &&
      back.getUTCMinutes() === minute &&
      back.getUTCSeconds() === second;
    if (valid && ms >= 0) return ok(ms);
  }
  return fail(`expected a time (epoch ms or yyyyMMddHHmmss), got ${describe(v)}`);
}

/** The record's id: a non-empty string (trimmed, at most 128 chars) or a safe integer. */
export function readVoiceId(v: unknown): Read<string> {
  if (v === undefined || v === null) return fail("missing: every record needs its voiceId (the platform's call id)");
  if (typeof v === "number" && Number.isSafeInteger(v)) return ok(String(v));
  if (typeof v !== "string") return fail(`must be a string, got ${describe(v)}`);
  const s = v.trim();
  if (s === "") return fail("is empty");
  if (s.length > 128) return fail("is longer than 128 characters");
  return ok(s);
}
