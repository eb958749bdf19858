// The relay with a capturing stand-in for its `CALLS_STREAM` binding (locally a real binding's send() does nothing),
// for bench:history and the history-stats test under `wrangler dev`. The stand-in sits behind a real service binding
// to this Worker's own entrypoints (`CAPTURE_STREAM` → CaptureStream, `COUNT_STREAM` → CountStream), so `send()`
// crosses workerd's RPC as a Basin binding's does: the rows are serialized by the caller and deserialized by the
// callee. `GET /__capture` answers the rows captured since the last call as NDJSON (and forgets them), with the D1
// round trips counted meanwhile in the header `x-d1-round-trips` (by kind, JSON, in `x-d1-round-trip-kinds`).
// A push with `x-stream: off` runs without the binding (the floor); with `x-stream: count` the stand-in only counts
// the rows (the CPU phase: no capturing work on the callee's side).
import { WorkerEntrypoint } from "cloudflare:workers";
import { app } from "../../src/app";
import worker, { AuthThrottle, DestinationPacer } from "../../src/index";
import type { HistoryRow } from "../../src/storage/calls-stream";
import { countRoundTrips, type RoundTrips } from "./count-round-trips";

export { AuthThrottle, DestinationPacer };

let captured: string[] = [];
let counted = 0;
const roundTrips: RoundTrips = { n: 0, kinds: {} };

/** The stand-in stream: keeps every row it is sent. */
export class CaptureStream extends WorkerEntrypoint {
  async send(rows: HistoryRow[]): Promise<void> {
    for (const row of rows) captured.push(JSON.stringify(row));
  }
}

/** The stand-in stream that only counts the rows (what the CPU phase measures is the sending side). */
export class CountStream extends WorkerEntrypoint {
  async send(rows: HistoryRow[]): Promise<void> {
    counted += rows.length;
  }
}

interface StandIns {
  CAPTURE_STREAM: { send(rows: HistoryRow[]): Promise<void> };
  COUNT_STREAM: { send(rows: HistoryRow[]): Promise<void> };
}

const bound = new WeakMap<object, { on: Env; count: Env; off: Env }>();
function bindings(env: Env) {
  let b = bound.get(env);
  if (!b) {
    const DB = countRoundTrips(env.DB, roundTrips);
    const standIns = env as unknown as StandIns;
    b = {
      on: { ...env, DB, CALLS_STREAM: standIns.CAPTURE_STREAM } as Env,
      count: { ...env, DB, CALLS_STREAM: standIns.COUNT_STREAM } as Env,
      off: { ...env, DB },
    };
    bound.set(env, b);
  }
  return b;
}

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__capture") {
      const body = captured.length === 0 ? "" : `${captured.join("\n")}\n`;
      captured = [];
      const headers = {
        "x-d1-round-trips": String(roundTrips.n),
        "x-d1-round-trip-kinds": JSON.stringify(roundTrips.kinds),
        "x-rows-counted": String(counted),
      };
      roundTrips.n = 0;
      roundTrips.kinds = {};
      counted = 0;
      return new Response(body, { headers });
    }
    const b = bindings(env);
    const mode = request.headers.get("x-stream");
    return app.fetch(request, mode === "off" ? b.off : mode === "count" ? b.count : b.on, ctx);
  },
  queue: (batch, env, ctx) => worker.queue(batch as Parameters<typeof worker.queue>[0], bindings(env).on, ctx),
  scheduled: (controller, env, ctx) => worker.scheduled(controller, bindings(env).on, ctx),
} satisfies ExportedHandler<Env>;
