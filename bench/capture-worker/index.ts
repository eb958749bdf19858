// The relay with a capturing stand-in for its `CALLS_STREAM` binding (locally a real binding's send() does nothing),
// for bench:history and the history-stats test under `wrangler dev`. `GET /__capture` answers the rows captured
// since the last call as NDJSON (and forgets them) with the D1 round trips counted in the header
// `x-d1-round-trips`; a push with `x-stream: off` runs without the binding (the floor).
import { app } from "../../src/app";
import worker, { DestinationPacer } from "../../src/index";

export { DestinationPacer };

let captured: string[] = [];
let roundTrips = 0;

const stream = {
  async send(rows: unknown[]): Promise<void> {
    for (const row of rows) captured.push(JSON.stringify(row));
  },
};

/** Counts every D1 round trip: a batch, or a statement run on its own. */
function counted(db: D1Database): D1Database {
  const count = <T extends object>(statement: T): T => {
    const s = statement as Record<string, unknown>;
    for (const method of ["run", "all", "first", "raw"]) {
      const real = s[method] as (...a: unknown[]) => unknown;
      s[method] = (...a: unknown[]) => {
        roundTrips += 1;
        return real.apply(statement, a);
      };
    }
    const bind = s.bind as (...a: unknown[]) => T;
    s.bind = (...a: unknown[]) => count(bind.apply(statement, a));
    return statement;
  };
  return {
    prepare: (query: string) => count(db.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => {
      roundTrips += 1;
      return db.batch(statements);
    },
    exec: (query: string) => {
      roundTrips += 1;
      return db.exec(query);
    },
    withSession: db.withSession.bind(db),
    dump: db.dump.bind(db),
  } as D1Database;
}

const bound = new WeakMap<object, { on: Env; off: Env }>();
function bindings(env: Env) {
  let b = bound.get(env);
  if (!b) {
    const DB = counted(env.DB);
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
      const headers = { "x-d1-round-trips": String(roundTrips) };
      roundTrips = 0;
      return new Response(body, { headers });
    }
    const b = bindings(env);
    return app.fetch(request, request.headers.get("x-stream") === "off" ? b.off : b.on, ctx);
  },
  queue: (batch, env) => worker.queue(batch as Parameters<typeof worker.queue>[0], bindings(env).on),
  scheduled: (controller, env, ctx) => worker.scheduled(controller, bindings(env).on, ctx),
} satisfies ExportedHandler<Env>;
