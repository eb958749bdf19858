import { sql } from "drizzle-orm";

/** Longest `callee` (in characters, before stripping) whose digits the phone index keeps. */
export const MAX_CALLEE_KEY_CHARS = 32;

/** SQL: a call's own time, `callTime`, else `submitTime`, else `receivedAt` (epoch ms). */
export const callTimeSql = sql.raw("coalesce(call_time, submit_time, received_at)");

/** The separators a phone number is written with, ignored by phone search. */
const SEPARATORS = ["+", " ", "-", "(", ")"];

const reversed = Array.from(
  { length: MAX_CALLEE_KEY_CHARS },
  (_, i) => `substr(callee, ${MAX_CALLEE_KEY_CHARS - i}, 1)`,
);

/** SQL: `callee` reversed, without separators (its first {@link MAX_CALLEE_KEY_CHARS} characters). */
export const calleeKeySql = sql.raw(
  SEPARATORS.reduce((expr, sep) => `replace(${expr}, '${sep}', '')`, `(${reversed.join(" || ")})`),
);

/** A phone number as `callee_key` holds it: separators (and any whitespace) removed, reversed. */
export function calleeSearchKey(number: string): string {
  return [...number.replace(/[+\s\-()]/g, "")].reverse().join("");
}
