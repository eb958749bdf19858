import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** One migration file. */
export interface Migration {
  name: string;
  sql: string;
}

/** The migration files of `dir`, in the order wrangler applies them. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
}

/** Tables that grow with the calls: a statement over all their rows is work in proportion to the database. */
export const GROWING_TABLES = ["calls", "deliveries", "delivery_attempts", "pushes", "events"] as const;

/** What a migration's statements do to the growing tables. */
export type WorkKind = "data move" | "index build" | "schema only";

const growing = `(?:${GROWING_TABLES.join("|")})`;
/** Statements that read or rewrite every row of a growing table. */
const dataMoves = [
  // UPDATE / DELETE of a growing table (a migration has no bound parameters to narrow it to a chunk).
  new RegExp(`^\\s*(?:UPDATE|DELETE\\s+FROM)\\s+[\`"]?${growing}[\`"]?\\b`, "i"),
  // INSERT … SELECT … FROM a growing table (a backfill).
  new RegExp(`^\\s*INSERT\\b[\\s\\S]*\\bSELECT\\b[\\s\\S]*\\bFROM\\s+[\`"]?${growing}[\`"]?\\b`, "i"),
  // DROP COLUMN rewrites every row; drizzle-kit's table rebuild copies them.
  new RegExp(`^\\s*ALTER\\s+TABLE\\s+[\`"]?${growing}[\`"]?\\s+DROP\\s+COLUMN`, "i"),
  new RegExp(`^\\s*INSERT\\s+INTO\\s+[\`"]?__new_${growing}`, "i"),
];
const indexBuild = new RegExp(
  `^\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\b[\\s\\S]*\\bON\\s+[\`"]?${growing}[\`"]?\\s*\\(`,
  "i",
);

/** The statements of a migration file, without comments. */
export function statementsOf(sql: string): string[] {
  return sql
    .split("--> statement-breakpoint")
    .map((s) =>
      s
        .split("\n")
        .filter((line) => !line.trim().startsWith("--"))
        .join("\n")
        .trim(),
    )
    .filter((s) => s.length > 0);
}

/**
 * The heaviest work a migration does to the growing tables: a data move (every row read and rewritten: not allowed
 * in a new migration, it belongs in a background job), an index build (every row read once, sorted), or schema only.
 */
export function classify(sql: string): WorkKind {
  const statements = statementsOf(sql);
  if (statements.some((s) => dataMoves.some((re) => re.test(s)))) return "data move";
  // An index on a table the same file creates is built on no rows.
  const created = new Set(statements.flatMap((s) => /^CREATE\s+TABLE\s+[`"]?(\w+)/i.exec(s)?.[1] ?? []));
  const indexed = statements.flatMap((s) => (indexBuild.test(s) ? [/\bON\s+[`"]?(\w+)/i.exec(s)?.[1] ?? ""] : []));
  if (indexed.some((table) => !created.has(table))) return "index build";
  return "schema only";
}

interface Column {
  name: string;
  type: string;
  notnull: number;
  dflt_value: unknown;
}

const SAMPLE = readFileSync(join(import.meta.dirname, "../../test/fixtures/sample-push.json"), "utf8");
/** The sample record as JSON, its voiceId `{v}`: the `raw` column of schemas before lean calls. */
const RAW_TEMPLATE = JSON.stringify({
  ...(JSON.parse(SAMPLE) as { array: Record<string, unknown>[] }).array[0],
  voiceId: "{v}",
  vendorNote: "a field outside the known set",
});

/** A SQL expression for a column of a generated row `n` (1-based), by name; undefined leaves the column's default. */
function generatedValue(table: string, column: Column): string | undefined {
  const time = "(1767225600000 + n * 1000)";
  const voice = "printf('v%012d', n)";
  const byName: Record<string, string> = {
    source_id: "'src_default'",
    voice_id: voice,
    received_at: time,
    created_at: time,
    updated_at: time,
    submit_time: `${time} - 5000`,
    call_time: `${time} - 4000`,
    ringing_time: `${time} - 3000`,
    answer_time: `CASE WHEN n % 5 < 3 THEN ${time} - 2000 END`,
    hangup_time: `${time} - 1000`,
    callee: "'22222222286' || printf('%011d', (n * 7919) % 100000000000)",
    display_num: "'5034040'",
    connected: "CASE WHEN n % 5 < 3 THEN 1 ELSE 0 END",
    intent_code: "CASE WHEN n % 5 < 3 THEN '30' || (1 + n % 4) END",
    intent: "CASE WHEN n % 5 < 3 THEN 'Connected-Customer' ELSE '' END",
    call_status_new: "CASE WHEN n % 5 < 3 THEN 1 ELSE 2 + n % 3 END",
    call_description: "CASE WHEN n % 5 < 3 THEN 1 ELSE n % 9 END",
    call_status: "CASE WHEN n % 5 < 3 THEN 50 ELSE 40 END",
    task_id: "5000000 + n % 40",
    recording_file_url: `CASE WHEN n % 5 < 3 THEN 'https://recordings.example.com/' || ${voice} || '.wav' END`,
    push_id: "printf('p%08d', n / 100)",
    raw: `replace('${RAW_TEMPLATE.replaceAll("'", "''")}', '{v}', ${voice})`,
    extra: "NULL",
  };
  if (table === "calls" && column.name === "id") return "n";
  if (table === "pushes") {
    const pushes: Record<string, string> = {
      id: "printf('p%08d', n)",
      status: "'stored'",
      bytes: "52000",
      records: "100",
      accepted: "100",
      archive_key: "'raw/2026-01-01/' || printf('p%08d', n) || '.json.gz'",
      received_at: "(1767225600000 + n * 100000)",
    };
    if (pushes[column.name]) return pushes[column.name];
  }
  if (table === "deliveries") {
    const deliveries: Record<string, string> = {
      id: "printf('d%09d', n)",
      destination_id: "CASE WHEN n % 2 = 0 THEN 'dst_webhook' ELSE 'dst_chat' END",
      voice_id: voice,
      status: "'delivered'",
      attempts: "1",
      delivered_at: time,
      event_id: "NULL",
    };
    if (deliveries[column.name]) return deliveries[column.name];
  }
  if (table === "delivery_attempts") {
    const attempts: Record<string, string> = {
      id: "n",
      delivery_id: "printf('d%09d', n)",
      attempted_at: time,
      status_code: "200",
      duration_ms: "120",
      outcome: "'delivered'",
    };
    if (attempts[column.name]) return attempts[column.name];
  }
  if (byName[column.name]) return byName[column.name];
  if (column.dflt_value !== null) return undefined;
  if (!column.notnull) return "NULL";
  return /INT/i.test(column.type) ? "0" : "''";
}

function tableExists(db: DatabaseSync, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** Inserts `count` generated rows into `table`, filling the columns it has at this schema. */
function fillTable(db: DatabaseSync, table: string, count: number) {
  if (count <= 0 || !tableExists(db, table)) return;
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as unknown as Column[];
  const chosen = columns.flatMap((c) => {
    const value = generatedValue(table, c);
    return value === undefined ? [] : [[c.name, value] as const];
  });
  db.exec(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count})
    INSERT INTO ${table} (${chosen.map(([name]) => `"${name}"`).join(", ")})
    SELECT ${chosen.map(([, value]) => value).join(", ")} FROM seq`);
}

/**
 * The call and task rollups of the calls stored, when that schema's relay kept them in its push batches: after the
 * migration that built them (`stats_rollup_triggers`), once no trigger on `calls` keeps them.
 */
function fillRollups(db: DatabaseSync, applied: readonly Migration[]) {
  if (!applied.some((m) => m.name.includes("stats_rollup_triggers"))) return;
  const trigger = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'calls'").get();
  if (trigger !== undefined) return;
  const hour = "coalesce(call_time, submit_time, received_at) / 3600000";
  db.exec(`INSERT INTO call_rollups (hour, source_id, intent_code, intent, call_status_new, call_description, calls, connected)
    SELECT ${hour}, source_id, ifnull(intent_code, ''), ifnull(intent, ''), ifnull(call_status_new, -1),
      ifnull(call_description, -1), count(*), sum(connected) FROM calls GROUP BY 1, 2, 3, 4, 5, 6`);
  db.exec(`INSERT INTO task_rollups (hour, source_id, task_id, calls, connected)
    SELECT ${hour}, source_id, ifnull(task_id, -1), count(*), sum(connected) FROM calls GROUP BY 1, 2, 3`);
}

/**
 * Fills a database at its current schema as the relay of that schema would have: `calls` calls, a push log row per
 * 100, 0.6 deliveries per call (30% matching two destinations) with an attempt each, rollups where the schema has them.
 */
export function fillAtSchema(db: DatabaseSync, applied: readonly Migration[], calls: number): void {
  db.exec("BEGIN");
  fillTable(db, "calls", calls);
  fillTable(db, "pushes", Math.ceil(calls / 100));
  fillTable(db, "deliveries", Math.round(calls * 0.6));
  fillTable(db, "delivery_attempts", Math.round(calls * 0.6));
  fillRollups(db, applied);
  db.exec("COMMIT");
}

/** A database with migrations applied, its file at `file` (or in memory). */
export function openAt(migrations: readonly Migration[], file = ":memory:"): DatabaseSync {
  const db = new DatabaseSync(file);
  for (const m of migrations) db.exec(m.sql);
  return db;
}

/** One migration file applied to a database filled at the schema before it. */
export interface FileResult {
  name: string;
  kind: WorkKind;
  fillMs: number;
  applyMs: number;
  /** The same database's cost of any file: a transaction creating and dropping an empty table (its commit, mostly). */
  floorMs: number;
  callsBefore: number;
  callsAfter: number;
}

/**
 * For each migration file: a fresh database at the schema before it, filled with `calls` calls written by that
 * schema, then the file applied and timed (one transaction, as D1 applies a file).
 */
export function* runMigrationBench(
  migrations: readonly Migration[],
  calls: number,
  fileFor: (name: string) => string = () => ":memory:",
  pick: (name: string) => boolean = () => true,
): Generator<FileResult> {
  for (let i = 0; i < migrations.length; i++) {
    const m = migrations[i] as Migration;
    if (!pick(m.name)) continue;
    const db = openAt(migrations.slice(0, i), fileFor(m.name));
    const t0 = performance.now();
    fillAtSchema(db, migrations.slice(0, i), calls);
    const fillMs = performance.now() - t0;
    const count = () =>
      tableExists(db, "calls") ? (db.prepare("SELECT count(*) AS n FROM calls").get() as { n: number }).n : 0;
    const callsBefore = count();
    const t0Floor = performance.now();
    db.exec("BEGIN; CREATE TABLE bench_floor (x INTEGER); DROP TABLE bench_floor; COMMIT");
    const floorMs = performance.now() - t0Floor;
    const t1 = performance.now();
    db.exec("BEGIN");
    db.exec(m.sql);
    db.exec("COMMIT");
    const applyMs = performance.now() - t1;
    yield { name: m.name, kind: classify(m.sql), fillMs, applyMs, floorMs, callsBefore, callsAfter: count() };
    db.close();
  }
}

/**
 * `ms` measured at `rows` rows, scaled to `target` rows: the part above `floorMs` (what any file costs, whatever the
 * rows) as n·log n (an index build sorts; a scan is linear), the floor as it is.
 */
export function scaleTime(ms: number, rows: number, target: number, floorMs = 0): number {
  const work = Math.max(0, ms - floorMs);
  return floorMs + work * (target / rows) * (Math.log2(target) / Math.log2(rows));
}
