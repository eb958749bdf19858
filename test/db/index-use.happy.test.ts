import { env } from "cloudflare:workers";
import { and, desc, eq, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { callConditions } from "../../src/http/admin/calls";
import { callRollupStatements } from "../../src/storage/call-rollups";
import { getDb } from "../../src/storage/db/client";
import { calls } from "../../src/storage/db/schema";
import { admin, push, record, rows } from "../support/worker";

type Query = { sql: string; params: unknown[] };
const db = getDb(env.DB);

/** SQLite's plan for a query, one line per step. */
async function plan(query: Query): Promise<string> {
  const steps = await rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`, ...query.params);
  return steps.map((s) => s.detail).join("\n");
}

describe("every index on calls has a query that uses it; none is kept for what the rollups serve", () => {
  it("has exactly the indexes the schema names", async () => {
    const indexes = await rows<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL ORDER BY name",
    );
    expect(indexes.map((i) => i.name)).toEqual([
      "calls_call_at_idx",
      "calls_callee_key_idx",
      "calls_received_at_idx",
      "calls_source_voice_uq",
    ]);
  });

  it("looks a call up, and a push's calls for the rollups, on source + voiceId", async () => {
    const one = db
      .select({ id: calls.id })
      .from(calls)
      .where(and(eq(calls.sourceId, "src"), eq(calls.voiceId, "v1")))
      .toSQL();
    expect(await plan(one)).toMatch(/USING (COVERING )?INDEX calls_source_voice_uq/);
    const [subtract] = callRollupStatements("src", ["v1", "v2"]).before;
    expect(await plan(new SQLiteAsyncDialect().sqlToQuery(subtract as SQL))).toMatch(
      /SEARCH calls USING (COVERING )?INDEX calls_source_voice_uq/,
    );
  });

  it("reads a call-time window of GET /calls on calls_call_at_idx, in order", async () => {
    const { where } = callConditions({ since: 1, until: 2 });
    const query = db
      .select({ id: calls.id })
      .from(calls)
      .where(where)
      .orderBy(desc(calls.callAt), desc(calls.id))
      .limit(51);
    const steps = await plan(query.toSQL());
    expect(steps).toMatch(/SEARCH calls USING INDEX calls_call_at_idx/);
    expect(steps).not.toMatch(/TEMP B-TREE/);
  });

  it("reads a received-at window (replay, timeField=receivedAt) and the retention sweep on calls_received_at_idx", async () => {
    const { where } = callConditions({ since: 1, until: 2, timeField: "receivedAt" });
    expect(await plan(db.select({ id: calls.id }).from(calls).where(where).orderBy(calls.receivedAt).toSQL())).toMatch(
      /SEARCH calls USING (COVERING )?INDEX calls_received_at_idx/,
    );
    const sweep = await plan({
      sql: `SELECT c.id FROM calls c WHERE c.received_at < ?
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.source_id = c.source_id AND d.voice_id = c.voice_id)
        ORDER BY c.received_at LIMIT 5000`,
      params: [1],
    });
    expect(sweep).toMatch(/SEARCH c USING INDEX calls_received_at_idx/);
    expect(sweep).toMatch(/deliveries_call_idx/);
  });

  it("finds calls by task and intent with a bounded scan, newest first, and counts them from the rollups", async () => {
    const taskId = 7_000_000 + Math.floor(Math.random() * 1_000_000);
    const mine = [record({ taskId, intentCode: "302" }), record({ taskId, intentCode: "303" })];
    expect((await push({ array: [...mine, record({ taskId: taskId + 1, intentCode: "302" })] })).status).toBe(200);
    const found = async (query: string) =>
      ((await (await admin(`/calls?${query}`)).json()) as { data: { voiceId: string }[] }).data.map((c) => c.voiceId);
    expect(await found(`taskId=${taskId}`)).toEqual([mine[1]?.voiceId, mine[0]?.voiceId]);
    expect(await found(`taskId=${taskId}&intentCode=302`)).toEqual([mine[0]?.voiceId]);
    const task = await rows<{ n: number }>("SELECT sum(calls) AS n FROM task_rollups WHERE task_id = ?", taskId);
    expect(task[0]?.n).toBe(2);
  });
});
