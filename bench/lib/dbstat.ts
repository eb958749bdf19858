import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { DevWorker } from "./wrangler.ts";

/** Bytes by table and index, read with dbstat from the local D1's SQLite file (D1 itself refuses dbstat). */
export async function storage(worker: DevWorker) {
  const dir = join(worker.persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = (await readdir(dir)).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database file in ${dir}`);
  const db = new DatabaseSync(join(dir, file), { readOnly: true });
  const objects = db
    .prepare(
      "SELECT s.name AS name, coalesce(m.tbl_name, s.name) AS tbl, m.type AS type, sum(s.pgsize) AS bytes FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY s.name ORDER BY bytes DESC",
    )
    .all();
  db.close();
  return objects.map((o) => ({
    name: String(o.name),
    table: String(o.tbl),
    kind: o.type === "index" || String(o.name).startsWith("sqlite_autoindex") ? "index" : "table",
    bytes: Number(o.bytes),
  }));
}
