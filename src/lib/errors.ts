import { DrizzleQueryError } from "drizzle-orm";

const statusByCode = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  credentials_required: 422,
  too_many_requests: 429,
  internal_error: 500,
  bad_gateway: 502,
  storage_unavailable: 503,
} as const;

/** Every error code the API can answer with, each mapped to one HTTP status. */
export type ErrorCode = keyof typeof statusByCode;

/** An error meant for the client: its code, message and optional details reach the response as they are. */
export class AppError extends Error {
  readonly status: (typeof statusByCode)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "AppError";
    this.status = statusByCode[code];
  }
}

/** The one JSON body every error response carries. */
export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The 503 of a push that no store took: the client may retry, nothing was stored. */
export function storageUnavailable(cause: unknown): AppError {
  return new AppError(
    "storage_unavailable",
    "Storage is unavailable; nothing was stored. Retry later.",
    undefined,
    cause,
  );
}

/** Runs D1 work, turning any failure into a 503 the client may retry (nothing was stored). */
export async function unlessStorageFails<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw storageUnavailable(err);
  }
}

/**
 * Whether an error comes from D1 rather than from the code: D1's own errors (`D1_ERROR: …`, `D1_EXEC_ERROR: …`)
 * or Drizzle's wrapper of a failed query, anywhere in the `cause` chain.
 */
export function isStorageError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DrizzleQueryError || /^D1_[A-Z_]*ERROR\b/.test(e.message)) return true;
  }
  return false;
}

/**
 * D1 errors about the statement itself, which no retry fixes: a value or row too large, too many bound parameters
 * (also caught before D1 by the batch guard), a constraint or type the data breaks. Anything else (a lost
 * connection, an overloaded or resetting database, an unknown error) may pass on a later try.
 */
const PERMANENT_D1_ERROR =
  /SQLITE_TOOBIG|SQLITE_CONSTRAINT|SQLITE_MISMATCH|SQLITE_RANGE|too big|too long|too large|too many SQL variables|too many terms|constraint failed|datatype mismatch|malformed JSON|BoundParamLimitError|statement binds \d+ parameters/i;

/** Whether a failed D1 write may succeed later (`unavailable`) or never will (`permanent`), from its `cause` chain. */
export function storageFailure(err: unknown): "unavailable" | "permanent" {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DrizzleQueryError) continue;
    if (PERMANENT_D1_ERROR.test(`${e.name}: ${e.message}`)) return "permanent";
  }
  return "unavailable";
}

/**
 * What a failed D1 write says, without the statement's parameters (Drizzle's message carries them: call data,
 * secrets): the innermost error's first line, clipped to 300 characters.
 */
export function storageFailureReason(err: unknown): string {
  let message = String(err);
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (!(e instanceof DrizzleQueryError)) message = e.message;
  }
  const line = message.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
