import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const ROLLUPS = "stats_rollup_triggers";
const ROLLUP_TABLES = "stats_rollups_and_call_search";
const IN_PUSH_BATCH = "call_rollups_in_push_batch";
const db = env.MIGRATION_DB;
const all = async <T>(query: string) => (await db.prepare(query).all<T>()).results;

describe(`migration ${ROLLUPS}`, () => {
  it("builds rollups from calls, pushes and deliveries stored by the old schema, then keeps them", async () => {
    const at = env.TEST_MIGRATIONS.findIndex((m) => m.name.includes(ROLLUP_TABLES));
    expect(at).toBeGreaterThan(0);
    expect(env.TEST_MIGRATIONS.findIndex((m) => m.name.includes(ROLLUPS))).toBeGreaterThan(at);
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, at));
    expect(await all("SELECT name FROM sqlite_master WHERE name = 'call_rollups'")).toEqual([]);

    const hour = Date.UTC(2026, 2, 26, 2);
    const call = (voiceId: string, extra: string, values: string) =>
      db.prepare(
        `INSERT INTO calls (source_id, voice_id, connected, received_at, push_id, created_at, updated_at${extra})
         VALUES ('src_default', '${voiceId}', ?, ?, 'psh_old', 0, 0${values})`,
      );
    await db.batch([
      call("a", ", call_time, intent_code, intent, task_id, call_status_new", ", ?, '302', 'Interested', 7, 1").bind(
        1,
        hour + 60_000,
        hour + 120_000,
      ),
      call("b", ", call_time, intent_code, intent, task_id, call_status_new", ", ?, '302', 'Interested', 7, 1").bind(
        1,
        hour + 60_000,
        hour + 30 * 60_000,
      ),
      call("c", ", submit_time, callee", ", ?, '+86 138-0000-0003'").bind(0, hour + 86_400_000, hour + 3_600_000),
      db
        .prepare(
          "INSERT INTO pushes (id, source_id, received_at, status, bytes, records, accepted, rejected_count) VALUES ('psh_old', 'src_default', ?, 'stored', 10, 4, 3, 1)",
        )
        .bind(hour),
      db
        .prepare(
          "INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, created_at, updated_at) VALUES ('dlv_a', 'dst_x', 'src_default', 'a', 'delivered', ?, ?)",
        )
        .bind(hour, hour),
    ]);

    const dropAt = env.TEST_MIGRATIONS.findIndex((m) => m.name.includes(IN_PUSH_BATCH));
    expect(dropAt).toBeGreaterThan(at);
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, dropAt));
    const h = hour / 3_600_000;
    expect(await all("SELECT * FROM call_rollups ORDER BY hour")).toEqual([
      {
        hour: h,
        source_id: "src_default",
        intent_code: "302",
        intent: "Interested",
        call_status_new: 1,
        call_description: -1,
        calls: 2,
        connected: 2,
      },
      {
        hour: h + 1,
        source_id: "src_default",
        intent_code: "",
        intent: "",
        call_status_new: -1,
        call_description: -1,
        calls: 1,
        connected: 0,
      },
    ]);
    expect(await all("SELECT hour, task_id, calls, connected FROM task_rollups ORDER BY hour")).toEqual([
      { hour: h, task_id: 7, calls: 2, connected: 2 },
      { hour: h + 1, task_id: -1, calls: 1, connected: 0 },
    ]);
    expect(await all("SELECT hour, pushes, records, rejected FROM push_rollups")).toEqual([
      { hour: h, pushes: 1, records: 4, rejected: 1 },
    ]);
    expect(await all("SELECT hour, destination_id, status, count FROM delivery_rollups")).toEqual([
      { hour: h, destination_id: "dst_x", status: "delivered", count: 1 },
    ]);
    expect(await all("SELECT voice_id, call_at, callee_key FROM calls ORDER BY voice_id")).toEqual([
      { voice_id: "a", call_at: hour + 120_000, callee_key: null },
      { voice_id: "b", call_at: hour + 30 * 60_000, callee_key: null },
      { voice_id: "c", call_at: hour + 3_600_000, callee_key: "3000000083168" },
    ]);

    await db.batch([
      db.prepare("UPDATE calls SET intent_code = '301', connected = 0, task_id = 8 WHERE voice_id = 'b'"),
      db.prepare("DELETE FROM calls WHERE voice_id = 'a'"),
    ]);
    const moved = [
      { intent_code: "301", calls: 1, connected: 0 },
      { intent_code: "302", calls: 1, connected: 1 },
    ];
    const rollupsOfHour = () =>
      all(`SELECT intent_code, calls, connected FROM call_rollups WHERE hour = ${h} ORDER BY intent_code`);
    expect(await rollupsOfHour()).toEqual(moved);
    expect(await all(`SELECT task_id, calls, connected FROM task_rollups WHERE hour = ${h} ORDER BY task_id`)).toEqual([
      { task_id: 7, calls: 1, connected: 1 },
      { task_id: 8, calls: 1, connected: 0 },
    ]);

    // Pushes keep the call rollups in their own batch from then on: the per-call triggers go, the counts stay.
    const batchesKeepDeliveryRollups = env.TEST_MIGRATIONS.findIndex((m) => m.name.includes("deliveries_write_less"));
    expect(batchesKeepDeliveryRollups).toBeGreaterThan(0);
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, batchesKeepDeliveryRollups));
    expect(await all("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls'")).toEqual([]);
    expect(await rollupsOfHour()).toEqual(moved);
    await db.prepare("UPDATE deliveries SET status = 'failed' WHERE id = 'dlv_a'").run();
    expect(await all("SELECT status, count FROM delivery_rollups ORDER BY status")).toEqual([
      { status: "delivered", count: 0 },
      { status: "failed", count: 1 },
    ]);
    // Later still, the batches that change deliveries keep their rollups (migration `deliveries_write_less`): the
    // triggers go, the counts stay.
    await applyD1Migrations(db, env.TEST_MIGRATIONS);
    expect(await all("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'deliveries'")).toEqual([]);
    expect(await all("SELECT status, count FROM delivery_rollups ORDER BY status")).toEqual([
      { status: "delivered", count: 0 },
      { status: "failed", count: 1 },
    ]);
  });
});
