import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, errorBody, isStorageError } from "./errors";
import { describeError } from "./log-error";

/** `app.onError`: maps every thrown error to the one JSON shape; logs 5xx with context (never a query's params), never leaks stacks. */
export function handleError(err: Error, c: Context) {
  if (err instanceof AppError) {
    if (err.status >= 500) logServerError(err, c);
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  if (err instanceof HTTPException && err.status === 415) {
    const message = "Send the body as JSON, with the header Content-Type: application/json";
    return c.json(errorBody("unsupported_media_type", message), 415);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = err.status === 401 ? "unauthorized" : err.status === 413 ? "payload_too_large" : "bad_request";
    return c.json(errorBody(code, err.message || "Bad request"), err.status);
  }
  logServerError(err, c);
  if (isStorageError(err)) {
    return c.json(errorBody("storage_unavailable", "Storage is unavailable. Retry later."), 503);
  }
  return c.json(errorBody("internal_error", "Internal error"), 500);
}

function logServerError(err: Error, c: Context) {
  const path = new URL(c.req.url).pathname.replace(/^\/push\/[^/]+/, "/push/:token");
  console.error(
    JSON.stringify({
      msg: "request failed",
      method: c.req.method,
      path,
      error: describeError(err),
    }),
  );
}
