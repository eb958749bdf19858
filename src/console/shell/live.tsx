import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { RequestContext } from "hono/jsx-renderer";

/** The request header the console's script sends when it asks for a page's live parts only. */
export const LIVE_HEADER = "x-live";

/** Seconds between two refreshes of a live page (the issue allows at most one every 5 s). */
export const LIVE_SECONDS = 5;

/** Whether the request asks for the page's live parts only (the script's refresh), not the whole page. */
export function isLiveRequest(c: Context): boolean {
  return c.req.header(LIVE_HEADER) === "1";
}

/**
 * A page's live parts alone (elements carrying `data-live`), for the script to patch into the page in place;
 * `next` is the URL of the next refresh when it is not the page's own (the tail's cursor).
 */
export function liveFragment(c: Context, parts: Child, next?: string) {
  c.header("cache-control", "no-store");
  c.header("vary", LIVE_HEADER);
  if (next !== undefined) c.header("x-live-next", next);
  return c.html(<RequestContext.Provider value={c}>{parts}</RequestContext.Provider>);
}

/** A page's own path and query, which its live refresh asks for again (filters, range and cursor kept). */
export function selfUrl(url: string): string {
  const { pathname, search } = new URL(url);
  return `${pathname}${search}`;
}
