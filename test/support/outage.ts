import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { QueuedPush } from "../../src/pipeline/ingest/queue-ingest";
import { BASE, PUSH_TOKEN } from "./worker";

/** What D1 answers while it is unavailable. */
export const D1_LOST = "D1_ERROR: Network connection lost.";
/** What D1 answers to a statement with a value over its limits: no retry passes. */
export const D1_TOO_BIG = "D1_ERROR: string or blob too big: SQLITE_TOOBIG";

const unavailable = () => Promise.reject(new Error(D1_LOST));
const statement = { bind: () => statement, all: unavailable, run: unavailable, first: unavailable, raw: unavailable };
/** A D1 binding that fails every query, as D1 does while it is unavailable. */
export const downD1 = { prepare: () => statement, batch: unavailable, exec: unavailable } as unknown as D1Database;

/** The test D1 with its first `n` batches failing with `message` (the rest, and single queries, pass through). */
export function failingBatches(message: string, n = 1): D1Database {
  let failures = 0;
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) =>
          failures++ < n ? Promise.reject(new Error(message)) : target.batch(statements);
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A queue binding that keeps what is sent: the test hands it to the handler itself, so no work is left behind. */
export function recordingQueue() {
  const sent: QueuedPush[] = [];
  const queue = {
    send: async (body: QueuedPush) => void sent.push(body),
    sendBatch: async (batch: { body: QueuedPush }[]) => void sent.push(...batch.map((m) => m.body)),
  } as unknown as Queue;
  return { sent, queue };
}

/** POSTs a push through the real Worker with some bindings replaced, and waits for its background work. */
export async function pushWith(bindings: Partial<Env>, body: unknown, token = PUSH_TOKEN) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/push/${token}`, { method: "POST", body: JSON.stringify(body) }),
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}
