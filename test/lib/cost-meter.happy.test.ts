import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, PUSH_TOKEN, record } from "../support/worker";

const metered = { ...env, COST_METER: "1" } as Env;

async function call(path: string, bindings: Env, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the bench-only cost meter (COST_METER=1)", () => {
  it("is off in production: no wrapping, /__cost-meter is an ordinary 404", async () => {
    const res = await call("/__cost-meter", env);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("counts a push's invocation, D1 rows from every query's meta and its R2 archive write", async () => {
    const before = (await (await call("/__cost-meter", metered)).json()) as Record<string, Record<string, number>>;
    const body = JSON.stringify({ array: [record(), record()] });
    const pushed = await call(`/push/${PUSH_TOKEN}`, metered, { method: "POST", body });
    expect(pushed.status).toBe(200);
    const after = (await (await call("/__cost-meter", metered)).json()) as Record<string, Record<string, number>>;
    const delta = (group: string, key: string) => (after[group]?.[key] ?? 0) - (before[group]?.[key] ?? 0);
    expect(delta("invocations", "fetch")).toBe(1);
    expect(delta("r2", "classA")).toBe(1);
    // Two new calls: each a row in calls and in every index of calls, at least.
    expect(delta("d1", "rowsWritten")).toBeGreaterThanOrEqual(2 * 3);
    expect(delta("d1", "queries")).toBeGreaterThanOrEqual(2);
    expect(delta("d1", "rowsRead")).toBeGreaterThan(0);
  });
});
