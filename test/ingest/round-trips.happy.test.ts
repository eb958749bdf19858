import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, BASE, createDestination, deliveriesOf, PUSH_TOKEN, record, rows } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

/** A D1 binding that logs each round trip (a batch, or one statement run) with its SQL. */
function countingD1(d1: D1Database) {
  const trips: string[][] = [];
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement, query: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values), query);
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") {
          return (...args: unknown[]) => {
            trips.push([query]);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  const db = new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query), query);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          trips.push(statements.map((s) => (real.has(s) ? "" : "?")));
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, trips };
}

/** Pushes through the Worker with a counting D1; answers the round trips made before the answer. */
async function countedPush(body: unknown) {
  const { db, trips } = countingD1(env.DB);
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/push/${PUSH_TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { ...env, DB: db },
    ctx,
  );
  const before = trips.length;
  expect(res.status).toBe(200);
  await waitOnExecutionContext(ctx);
  return before;
}

describe("D1 round trips of a push", () => {
  it("is one write batch once the isolate knows the destinations", async () => {
    installReceiver();
    await createDestination({ type: "webhook", config: { url: hookUrl() } });
    await countedPush({ array: [record()] });
    const r = record();
    expect(await countedPush({ array: [r] })).toBe(1);
    expect(await rows("SELECT voice_id FROM calls WHERE voice_id = ?", r.voiceId)).toHaveLength(1);
  });

  it("delivers to a destination created a moment before the push", async () => {
    installReceiver();
    await countedPush({ array: [record()] });
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const r = record();
    // The batch finds the destinations changed, so the push reads them and plans again: 3 round trips.
    expect(await countedPush({ array: [r] })).toBe(3);
    expect(await deliveriesOf(dest.id, r.voiceId)).toMatchObject([
      { status: expect.stringMatching(/pending|delivered|retrying/) },
    ]);
    const next = record();
    expect(await countedPush({ array: [next] })).toBe(1);
    expect(await deliveriesOf(dest.id, next.voiceId)).toHaveLength(1);
  });

  it("sees a destination disabled, or deleted, a moment before the push", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    await countedPush({ array: [record()] });

    const patched = await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { enabled: false } });
    expect(patched.status).toBe(200);
    const whileDisabled = record();
    await countedPush({ array: [whileDisabled] });
    expect(await deliveriesOf(dest.id, whileDisabled.voiceId)).toMatchObject([{ status: "paused" }]);

    expect((await admin(`/destinations/${dest.id}`, { method: "DELETE" })).status).toBe(204);
    const afterDelete = record();
    await countedPush({ array: [afterDelete] });
    expect(await deliveriesOf(dest.id, afterDelete.voiceId)).toEqual([]);
  });

  it("does not re-plan when a destination changes something deliveries are not planned from", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    await countedPush({ array: [record()] });
    expect((await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { name: "renamed" } })).status).toBe(200);
    expect(await countedPush({ array: [record()] })).toBe(1);
  });
});
