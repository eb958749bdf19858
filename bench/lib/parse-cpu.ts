import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median } from "./stats.ts";
import { ROOT } from "./wrangler.ts";

type Ingest = typeof import("../../src/ingest/ingest.ts");
type RecordSchema = typeof import("../../src/ingest/record-schema.ts");
type Normalize = typeof import("../../src/ingest/normalize.ts");
type Batch = typeof import("../../src/db/batch.ts");
type Schema = typeof import("../../src/db/schema.ts");

/** The Worker's own ingest code, bundled for Node (its modules import without extensions). */
export type IngestCode = Pick<Ingest, "parsePushBody"> &
  Pick<RecordSchema, "parseRecord"> &
  Pick<Normalize, "normalize"> &
  Pick<Batch, "insertJsonRows"> &
  Pick<Schema, "calls"> & { sqlToQuery(statement: unknown): { sql: string; params: unknown[] } };

/** Bundles `src/ingest` (and what it imports) with esbuild into `workDir` and imports it. */
export async function loadIngestCode(workDir: string): Promise<IngestCode> {
  const src = (path: string) => JSON.stringify(join(ROOT, "src", path));
  const result = await build({
    stdin: {
      contents: [
        `export { parsePushBody } from ${src("ingest/ingest.ts")};`,
        `export { parseRecord } from ${src("ingest/record-schema.ts")};`,
        `export { normalize } from ${src("ingest/normalize.ts")};`,
        `export { insertJsonRows } from ${src("db/batch.ts")};`,
        `export { calls } from ${src("db/schema.ts")};`,
        `import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";`,
        "const dialect = new SQLiteAsyncDialect();",
        "export const sqlToQuery = (statement) => dialect.sqlToQuery(statement);",
      ].join("\n"),
      resolveDir: ROOT,
      sourcefile: "bench-ingest-entry.ts",
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    write: false,
    logLevel: "silent",
  });
  const file = join(workDir, "ingest-code.mjs");
  await writeFile(file, result.outputFiles[0]?.text ?? "");
  return (await import(pathToFileURL(file).href)) as IngestCode;
}

/** One measured stage: its time per record, wall-clock and CPU (CPU counts GC threads too). */
export interface StageResult {
  stage: string;
  records: number;
  wallUsPerRecord: number;
  cpuUsPerRecord: number;
}

function measure(stage: string, records: number, runs: number, work: () => void): StageResult {
  work(); // warm-up: JIT and caches
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    work();
    const wallUs = (performance.now() - t0) * 1000;
    const cpu = process.cpuUsage(cpu0);
    walls.push(wallUs / records);
    cpus.push((cpu.user + cpu.system) / records);
  }
  return { stage, records, wallUsPerRecord: median(walls), cpuUsPerRecord: median(cpus) };
}

/**
 * The CPU cost of reading records, in-process, over `bodies` (push bodies of the same size): JSON.parse
 * alone, then `parsePushBody` (JSON.parse + per-record zod read + normalize + raw JSON.stringify, what the
 * target is about), `parseRecord` + `normalize` on already parsed records, and building the calls upsert.
 */
export function measureParseCpu(code: IngestCode, bodies: readonly string[], runs = 3): StageResult[] {
  const receivedAt = Date.now();
  const perBody = (JSON.parse(bodies[0] as string) as { array: unknown[] }).array.length;
  const total = perBody * bodies.length;
  const check = code.parsePushBody(bodies[0] as string, "src_default", receivedAt);
  if (check.rejected.length > 0) {
    throw new Error(`generated records were rejected: ${JSON.stringify(check.rejected.slice(0, 3))}`);
  }
  const objects = bodies.map((b) => (JSON.parse(b) as { array: unknown[] }).array);
  const parsed = bodies.map((b) => code.parsePushBody(b, "src_default", receivedAt));
  let sink = 0;
  const results = [
    measure("JSON.parse of the body only", total, runs, () => {
      for (const body of bodies) sink += (JSON.parse(body) as { array: unknown[] }).array.length;
    }),
    measure("parsePushBody (parse + read + normalize + raw)", total, runs, () => {
      for (const body of bodies) sink += code.parsePushBody(body, "src_default", receivedAt).calls.length;
    }),
    measure("parseRecord + normalize (pre-parsed objects)", total, runs, () => {
      for (const records of objects) {
        for (const record of records) {
          const r = code.parseRecord(record);
          if (r.ok) sink += code.normalize(r.report, "src_default", receivedAt).connected ? 1 : 0;
        }
      }
    }),
    measure("build calls upsert SQL (insertJsonRows)", total, runs, () => {
      for (const p of parsed) {
        const rows = p.calls.map((call, i) => ({
          ...call,
          pushId: "psh_bench",
          raw: p.raws[i] as string,
          createdAt: receivedAt,
          updatedAt: receivedAt,
        }));
        const statements = code.insertJsonRows(code.calls, rows, { target: ["sourceId", "voiceId"], update: "all" });
        for (const s of statements) sink += code.sqlToQuery(s).params.length;
      }
    }),
  ];
  if (sink < 0) console.log(sink); // keeps the work observable
  return results;
}
