import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bulkRetryCount } from "../../src/pipeline/delivery/bulk-retry";
import { retryNow } from "../../src/pipeline/delivery/retry-now";
import { dueDeliveryOf, sweepDeliveries } from "../../src/pipeline/delivery/sweeper";
import { getDb } from "../../src/storage/db/client";
import { listAttempts } from "../../src/storage/delivery-attempts";
import { oldestDueAt } from "../../src/storage/delivery-backlog";
import { searchDeliveries } from "../../src/storage/delivery-search";
import { withRecordingLanes } from "../support/handlers";
import { rows } from "../support/worker";

type Query = { sql: string; params: unknown[] };

/** The D1 binding, recording every statement prepared through it (with its bound values). */
function recording() {
  const queries: Query[] = [];
  const d1 = new Proxy(env.DB, {
    get(target, key) {
      if (key === "prepare")
        return (sql: string) => {
          const query: Query = { sql, params: [] };
          queries.push(query);
          const statement = target.prepare(sql);
          return new Proxy(statement, {
            get(s, k) {
              if (k === "bind")
                return (...params: unknown[]) => {
                  query.params = params;
                  return s.bind(...params);
                };
              const value = Reflect.get(s, k);
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1, queries };
}

/** SQLite's plan for a query, one line per step. */
async function plan(query: Query): Promise<string> {
  const steps = await rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`, ...query.params);
  return steps.map((s) => s.detail).join("\n");
}

/** The plans of the statements that read or write `deliveries`. */
async function plansOf(queries: Query[]) {
  const touching = queries.filter((q) => /deliveries/.test(q.sql) && !/^\s*INSERT/i.test(q.sql));
  expect(touching.length).toBeGreaterThan(0);
  return Promise.all(touching.map(async (q) => ({ sql: q.sql, plan: await plan(q) })));
}

/** A step that reads every row of `deliveries` (or its alias `d`), rather than a key range of an index. */
const fullScan = /^SCAN (deliveries|d)\b/m;

describe("deliveries: every query of work not delivered is a key range of deliveries_status_idx, never a scan", () => {
  it("has exactly the indexes the schema names (each one is a row written per delivery)", async () => {
    const indexes = await rows<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'deliveries' AND sql IS NOT NULL ORDER BY name",
    );
    expect(indexes.map((i) => i.name)).toEqual([
      "deliveries_call_idx",
      "deliveries_dest_source_voice_uq",
      "deliveries_status_idx",
    ]);
  });

  it("sweeps, probes, measures the backlog, retries and counts on deliveries_status_idx", async () => {
    const { d1, queries } = recording();
    const lanes = withRecordingLanes({ ...env, DB: d1 } as Env);
    const now = Date.now();
    await sweepDeliveries(lanes.env, now);
    await dueDeliveryOf(d1, "dst_plan", now);
    await oldestDueAt(d1, now);
    await retryNow(lanes.env, { destinationId: "dst_plan", statuses: ["failed", "paused", "retrying"] }, now);
    await bulkRetryCount(getDb(d1), { statuses: ["failed"] }, now);
    for (const { sql, plan } of await plansOf(queries)) {
      expect(plan, sql).not.toMatch(fullScan);
      if (/status IN \('pending', 'retrying'\)|status = \?/.test(sql))
        expect(plan, sql).toMatch(/deliveries_status_idx/);
    }
  });

  it("pages a search by rowid, reading one bounded window below the cursor", async () => {
    const { d1, queries } = recording();
    await searchDeliveries(
      getDb(d1),
      { statuses: ["delivered"], destinationIds: ["dst_plan"] },
      { limit: 50, cursor: { row: 1_000_000 } },
    );
    const [search] = await plansOf(queries);
    expect(search?.plan).toMatch(/SEARCH deliveries USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(search?.plan).not.toMatch(fullScan);
  });

  it("reads a delivery's attempts, logged or kept on its row, by key", async () => {
    const { d1, queries } = recording();
    await listAttempts(getDb(d1), ["dlv_a", "dlv_b"], 200);
    const [attempts] = await plansOf(queries);
    expect(attempts?.plan).toMatch(/delivery_attempts_delivery_idx/);
    expect(attempts?.plan).toMatch(/SEARCH d USING INDEX sqlite_autoindex_deliveries_1 \(id=\?\)/);
    expect(attempts?.plan).not.toMatch(fullScan);
  });
});
