import { DrizzleQueryError } from "drizzle-orm";
import { AppError } from "./errors";

/** What a log line may say about an error. */
export interface LoggedError {
  /** The error's class, e.g. `DrizzleQueryError`, `TypeError`. */
  name: string;
  /** An API error's code (`storage_unavailable`). */
  code?: string;
  /** The message of an error raised by code: links cut to their origin. */
  message?: string;
  /** A failed query's SQL with its placeholders (`?`), literals blanked: its shape, never its values. */
  statement?: string;
  /** D1's code (`D1_ERROR`), SQLite's (`SQLITE_CONSTRAINT`) and its reason (`UNIQUE constraint failed: t.c`). */
  d1?: string;
  sqlite?: string;
  reason?: string;
}

const MAX_TEXT = 300;
const D1_MESSAGE = /^(D1_[A-Z_]*ERROR)\b:?\s*(.*)$/s;
/** `…: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)` at the end of a D1 message. */
const SQLITE_CODE = /:\s*(SQLITE_[A-Z_]+)(?:\s*\(extended:\s*(SQLITE_[A-Z_]+)\))?\s*$/;

/**
 * Text from an error that may hold data: quoted literals blanked, links cut to their origin (a chat webhook's path
 * or a bot token never survives), length capped. Use it for any error text that is logged or stored.
 */
export function scrub(text: string): string {
  return text
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\bhttps?:\/\/[^\s/"'<>]+[^\s"'<>]*/gi, (url) => `${url.split("/").slice(0, 3).join("/")}/…`)
    .slice(0, MAX_TEXT);
}

/**
 * An error as logs may carry it: its class and code, a failed statement's shape and D1's reason, walking the
 * `cause` chain. Never a query's params or a D1 message's values: they hold secrets (a destination's headers or
 * bot token) and personal data (callee numbers). Use it wherever an error is logged.
 */
export function describeError(err: unknown): LoggedError {
  if (!(err instanceof Error)) return { name: typeof err };
  const out: LoggedError = { name: err.name };
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof AppError) out.code ??= e.code;
    if (e instanceof DrizzleQueryError) {
      out.statement ??= scrub(e.query);
      continue;
    }
    const d1 = D1_MESSAGE.exec(e.message);
    if (d1) {
      const sqlite = SQLITE_CODE.exec(d1[2] ?? "");
      out.d1 ??= d1[1];
      out.sqlite ??= sqlite?.[2] ?? sqlite?.[1];
      out.reason ??= scrub((d1[2] ?? "").replace(SQLITE_CODE, ""));
    } else if (out.message === undefined && !out.statement) {
      out.message = scrub(e.message);
    }
  }
  return out;
}
