import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { HistoryRow } from "../../src/storage/calls-stream";
import { confirmTiming } from "../../src/storage/calls-stream";
import { ADMIN_TOKEN, BASE, PUSH_TOKEN } from "../support/worker";

/**
 * A capturing stand-in for the `CALLS_STREAM` binding (locally a real binding's `send()` does nothing): keeps every
 * row it is sent, or refuses them all while `down`.
 */
export class StreamStandIn {
  rows: HistoryRow[] = [];
  down = false;
  sends = 0;

  async send(records: HistoryRow[]): Promise<void> {
    this.sends += 1;
    if (this.down) throw new Error("stream unavailable (stand-in outage)");
    this.rows.push(...structuredClone(records));
  }
}

const defaultTiming = { ...confirmTiming };
/** Puts the confirmation timing back as the Worker has it (tests shorten it). */
export function restoreConfirmTiming() {
  Object.assign(confirmTiming, defaultTiming);
}

/** The Worker's bindings with a stand-in stream. Confirmations are written at once (no waiting for a push batch). */
export function withStream(stream = new StreamStandIn()) {
  confirmTiming.delayMs = 0;
  return { stream, bindings: { ...env, CALLS_STREAM: stream } as Env };
}

/** Runs a request through the real Worker with `bindings` and waits for its `waitUntil` work. */
export async function fetchWith(bindings: Env, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** POSTs a push body through the real Worker with `bindings`. */
export function pushWith(bindings: Env, body: unknown) {
  return fetchWith(bindings, `/push/${PUSH_TOKEN}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Calls the admin API through the real Worker with `bindings`. */
export function adminWith(bindings: Env, path: string, body?: unknown) {
  return fetchWith(bindings, `/api/v1${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
