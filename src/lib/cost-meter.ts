/**
 * Bench-only usage counters (`npm run bench:cost`): with the var `COST_METER=1` the Worker's bindings are wrapped to
 * count what Cloudflare bills — D1 rows read and written (from each query's `meta`), R2 operations by class, queue
 * messages, Durable Object calls, Worker invocations — and `GET /__cost-meter` answers the totals. Without the var
 * nothing is wrapped and that path is an ordinary 404: production pays one property read per invocation.
 */

/** What the Worker has used since it started (this isolate). */
export interface CostCounters {
  invocations: { fetch: number; queue: number; scheduled: number };
  d1: { queries: number; rowsRead: number; rowsWritten: number };
  r2: { classA: number; classB: number };
  queues: { sent: number; received: number };
  durableObjects: { calls: number };
}

/** The path the totals are read from, when metering is on. */
const COST_METER_PATH = "/__cost-meter";

const counters: CostCounters = {
  invocations: { fetch: 0, queue: 0, scheduled: 0 },
  d1: { queries: 0, rowsRead: 0, rowsWritten: 0 },
  r2: { classA: 0, classB: 0 },
  queues: { sent: 0, received: 0 },
  durableObjects: { calls: 0 },
};

/** Whether this Worker counts its usage (`COST_METER=1`; never set in production). */
function costMeterOn(env: object): boolean {
  return (env as { COST_METER?: string }).COST_METER === "1";
}

/**
 * The bindings an invocation runs with: `env` itself when metering is off; else the invocation (and, for a queue
 * batch, its messages) counted and the bindings wrapped.
 */
export function metered(env: Env, kind: keyof CostCounters["invocations"], messages = 0): Env {
  if (!costMeterOn(env)) return env;
  counters.invocations[kind] += 1;
  counters.queues.received += messages;
  return meteredEnv(env);
}

/** The answer to `GET /__cost-meter` when metering is on; undefined otherwise (the app answers). */
export function costMeterAnswer(request: Request, env: Env): Response | undefined {
  if (!costMeterOn(env) || new URL(request.url).pathname !== COST_METER_PATH) return undefined;
  return Response.json(structuredClone(counters));
}

type D1Meta = { rows_read?: number; rows_written?: number };

/** Adds the `meta` of a D1 answer (one result or a batch's array) to the counters. */
function countD1Answer(body: unknown): void {
  for (const result of Array.isArray(body) ? body : [body]) {
    const meta = (result as { meta?: D1Meta } | null)?.meta;
    if (!meta) continue;
    counters.d1.queries += 1;
    counters.d1.rowsRead += meta.rows_read ?? 0;
    counters.d1.rowsWritten += meta.rows_written ?? 0;
  }
}

/**
 * The D1 binding over a fetcher that reads every answer's `meta`: the binding's own class, built on a counting
 * fetcher, so `first()` and `raw()` (which drop `meta`) are counted too.
 */
function meteredD1(db: D1Database): D1Database {
  const inner = (db as unknown as { fetcher: Fetcher }).fetcher;
  const fetcher = {
    async fetch(input: RequestInfo | URL, init?: RequestInit) {
      const response = await inner.fetch(input as RequestInfo, init as RequestInit);
      countD1Answer(
        await response
          .clone()
          .json()
          .catch(() => null),
      );
      return response;
    },
  };
  const D1 = db.constructor as new (fetcher: unknown) => D1Database;
  return new D1(fetcher);
}

const r2ClassA = new Set(["put", "createMultipartUpload", "resumeMultipartUpload", "list"]);
const r2ClassB = new Set(["get", "head"]);

function meteredR2(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (r2ClassA.has(String(prop))) counters.r2.classA += 1;
        if (r2ClassB.has(String(prop))) counters.r2.classB += 1;
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function meteredQueue(queue: Queue): Queue {
  return {
    send: (message, options) => {
      counters.queues.sent += 1;
      return queue.send(message, options);
    },
    sendBatch: (messages, options) => {
      counters.queues.sent += [...messages].length;
      return queue.sendBatch(messages, options);
    },
    metrics: () => queue.metrics(),
  } as Queue;
}

function meteredNamespace<T extends object>(namespace: T): T {
  const stub = (s: object) =>
    new Proxy(s, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function" || prop === "then") return value;
        return (...args: unknown[]) => {
          counters.durableObjects.calls += 1;
          return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        };
      },
    });
  return new Proxy(namespace, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== "get" && prop !== "getByName") return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) => stub(Reflect.apply(value as (...a: unknown[]) => object, target, args));
    },
  });
}

const wrapped = new WeakMap<object, Env>();

/** `env` with every billed binding counted (one wrapped copy per `env` object). */
function meteredEnv(env: Env): Env {
  const known = wrapped.get(env);
  if (known) return known;
  const metered: Env = {
    ...env,
    DB: meteredD1(env.DB),
    ARCHIVE: meteredR2(env.ARCHIVE),
    INGEST_QUEUE: meteredQueue(env.INGEST_QUEUE),
    DELIVERY_QUEUE: meteredQueue(env.DELIVERY_QUEUE),
    SLOW_LANE_QUEUE: meteredQueue(env.SLOW_LANE_QUEUE),
    PACER: meteredNamespace(env.PACER),
  };
  wrapped.set(env, metered);
  return metered;
}
