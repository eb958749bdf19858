import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { callRollupStatements } from "../../src/storage/call-rollups";
import { runBatch } from "../../src/storage/db/batch";
import { backgroundJobs, defaultJobLimits, runJobs } from "../../src/storage/jobs";

const MIGRATION = "task_rollup_costs";
const db = env.MIGRATION_DB;
const all = async <T>(query: string) => (await db.prepare(query).all<T>()).results;

describe(`migration ${MIGRATION}`, () => {
  it("starts the task cost rollups after the calls already stored, without reading them, and stays right on re-pushes", async () => {
    const at = env.TEST_MIGRATIONS.findIndex((m) => m.name.includes(MIGRATION));
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, at));
    const hour = Date.UTC(2026, 2, 26, 2);
    const insert = (voiceId: string, cost: string) =>
      db
        .prepare(
          `INSERT INTO calls (source_id, voice_id, connected, received_at, push_id, created_at, updated_at, call_time,
             task_id, intent_code, cost) VALUES ('src_default', ?, 1, ?, 'psh', 0, 0, ?, 7, '302', ?)`,
        )
        .bind(voiceId, hour, hour + 60_000, cost);
    await db.batch([insert("old-1", "1"), insert("old-2", "2")]);

    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, at + 1));
    const [start] = await all<{ after_call_id: number }>("SELECT after_call_id FROM rollup_starts");
    const [top] = await all<{ id: number }>("SELECT max(id) AS id FROM calls");
    expect(start?.after_call_id).toBe(top?.id);
    expect(await all("SELECT * FROM task_cost_rollups")).toEqual([]);

    // A push after the migration, with the push's own statements: old-1 again, moved to task 8 (not counted yet: stored
    // before the rollup, so never added, and never taken out), and a new call (counted).
    const { before, after } = callRollupStatements("src_default", ["old-1", "new-1"]);
    await runBatch(db, [
      ...before,
      sql`UPDATE calls SET task_id = 8 WHERE voice_id = 'old-1'`,
      sql`INSERT INTO calls (source_id, voice_id, connected, received_at, push_id, created_at, updated_at, call_time,
            task_id, intent_code, cost) VALUES ('src_default', 'new-1', 1, ${hour}, 'psh', 0, 0, ${hour}, 7, '302', '0.5')`,
      ...after,
    ]);
    expect(await all("SELECT task_id, calls, line_cost_micros FROM task_cost_rollups")).toEqual([
      { task_id: 7, calls: 1, line_cost_micros: 500_000 },
    ]);

    // The background job counts the calls stored before, one id at a time here, then is done.
    const limits = { ...defaultJobLimits, chunkRows: 1 };
    for (let run = 0; run < 5; run++) await runJobs(db, Date.now() + run * 120_000, backgroundJobs, limits);
    expect(await all("SELECT name, status FROM jobs WHERE name = 'task_cost_rollups_backfill'")).toEqual([
      { name: "task_cost_rollups_backfill", status: "done" },
    ]);
    expect(await all("SELECT task_id, calls, line_cost_micros FROM task_cost_rollups ORDER BY task_id")).toEqual([
      { task_id: 7, calls: 2, line_cost_micros: 2_500_000 },
      { task_id: 8, calls: 1, line_cost_micros: 1_000_000 },
    ]);
  });
});
