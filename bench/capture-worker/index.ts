// The relay with a capturing stand-in for its `CALLS_STREAM` binding (locally a real binding's send() does nothing),
// for bench:history and the history-stats test under `wrangler dev`. `GET /__capture` answers the rows captured
// since the last call as NDJSON (and forgets them) with the D1 round trips counted in the header
// `x-d1-round-trips`; a push with `x-stream: off` runs without the binding (the floor).
import { app } from "../../src/app";
import worker, { AuthThrottle, DestinationPacer } from "../../src/index";
import { countRoundTrips } from "./count-round-trips";

export { AuthThrottle, DestinationPacer };

let captured: string[] = [];
const roundTrips = { n: 0 };

const stream = {
  async send(rows: unknown[]): Promise<void> {
    for (const row of rows) captured.push(JSON.stringify(row));
  },
};

const bound = new WeakMap<object, { on: Env; off: Env }>();
function bindings(env: Env) {
  let b = bound.get(env);
  if (!b) {
    const DB = countRoundTrips(env.DB, roundTrips);
    b = { on: { ...env, DB, CALLS_STREAM: stream } as Env, off: { ...env, DB } };
    bound.set(env, b);
  }
  return b;
}

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__capture") {
      const body = captured.length === 0 ? "" : `${captured.join("\n")}\n`;
      captured = [];
      const headers = { "x-d1-round-trips": String(roundTrips.n) };
      roundTrips.n = 0;
      return new Response(body, { headers });
    }
    const b = bindings(env);
    return app.fetch(request, request.headers.get("x-stream") === "off" ? b.off : b.on, ctx);
  },
  queue: (batch, env, ctx) => worker.queue(batch as Parameters<typeof worker.queue>[0], bindings(env).on, ctx),
  scheduled: (controller, env, ctx) => worker.scheduled(controller, bindings(env).on, ctx),
} satisfies ExportedHandler<Env>;
