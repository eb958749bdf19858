import { applyD1Migrations, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import sample from "../fixtures/sample-push.json";
import { BASE } from "../support/worker";

/** The migrations before the one named `tag` (looked up by name, not number), and from it on. */
function splitAt(tag: string) {
  const at = env.TEST_MIGRATIONS.findIndex((m) => m.name.includes(tag));
  if (at < 0) throw new Error(`no migration ${tag}`);
  return [env.TEST_MIGRATIONS.slice(0, at), env.TEST_MIGRATIONS.slice(at)] as const;
}

const db = env.MIGRATION_DB;
const record = sample.array[0] as Record<string, unknown>;
const withExtras = { ...record, voiceId: "old-extra", emotion: "happy", nested: { score: 0.9 } };
const body = JSON.stringify({ array: [record, withExtras] });

/** GET on the admin API of the real Worker, over the migrated database. */
async function adminGet(path: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/api/v1${path}`, { headers: { authorization: "Bearer test-admin-token" } }),
    { ...env, DB: db },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("migrating calls and push bodies stored by the schema before the archive", () => {
  beforeAll(async () => {
    const [before, after] = splitAt("archive_key_and_call_extra");
    await applyD1Migrations(db, before);
    const insertCall = (voiceId: string, raw: string) =>
      db
        .prepare(
          "INSERT INTO calls (source_id, voice_id, intent_code, connected, received_at, push_id, raw, created_at, updated_at) VALUES ('src_default', ?, '302', 1, 1000, 'psh_old', ?, 1000, 1000)",
        )
        .bind(voiceId, raw);
    await db.batch([
      db
        .prepare(
          "INSERT INTO pushes (id, source_id, received_at, status, bytes, records, accepted) VALUES ('psh_old', 'src_default', 1000, 'stored', ?, 2, 2)",
        )
        .bind(body.length),
      db
        .prepare("INSERT INTO push_bodies (push_id, seq, chunk) VALUES ('psh_old', 0, ?), ('psh_old', 1, ?)")
        .bind(body.slice(0, 100), body.slice(100)),
      insertCall(String(record.voiceId), JSON.stringify(record)),
      insertCall("old-extra", JSON.stringify(withExtras)),
    ]);
    await applyD1Migrations(db, after);
  });

  it("keeps only the fields outside the known set in extra, and drops the raw copy and calls_source_idx", async () => {
    const { results } = await db.prepare("SELECT voice_id, extra, intent_code FROM calls ORDER BY voice_id").all();
    expect(results).toEqual([
      { voice_id: String(record.voiceId), extra: null, intent_code: "302" },
      {
        voice_id: "old-extra",
        extra: JSON.stringify({ emotion: "happy", nested: { score: 0.9 } }),
        intent_code: "302",
      },
    ]);
    const columns = await db.prepare("SELECT name FROM pragma_table_info('calls')").all<{ name: string }>();
    expect(columns.results.map((c) => c.name)).not.toContain("raw");
    const indexes = await db.prepare("SELECT name FROM pragma_index_list('calls')").all<{ name: string }>();
    expect(indexes.results.map((i) => i.name)).not.toContain("calls_source_idx");
  });

  it("still answers an old push's body and an old call's raw record from push_bodies", async () => {
    const push = await adminGet("/pushes/psh_old");
    expect(push.status).toBe(200);
    expect(await push.json()).toMatchObject({ id: "psh_old", body });

    const call = await adminGet("/calls/src_default/old-extra");
    expect(call.status).toBe(200);
    expect(await call.json()).toMatchObject({
      voiceId: "old-extra",
      raw: withExtras,
      extra: { emotion: "happy", nested: { score: 0.9 } },
    });
  });
});
