import journal from "../../migrations/meta/_journal.json";

/** The newest migration this build of the Worker was made with. */
const LATEST = journal.entries.at(-1)?.tag ?? null;

/**
 * `/health`'s `migrations`: the newest migration the code expects and the newest D1 has applied (wrangler's
 * `d1_migrations` table), so a deploy whose migrations did not run shows as `current: false`.
 */
export async function migrationsHealth(d1: D1Database) {
  const row = await d1
    .prepare("SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1")
    .first<{ name: string }>()
    .catch(() => null);
  const applied = row?.name.replace(/\.sql$/, "") ?? null;
  return { expected: LATEST, applied, current: applied === LATEST };
}
