import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median } from "./stats.ts";

type Ingest = typeof import("../../src/pipeline/ingest/ingest.ts");
type RecordSchema = typeof import("../../src/model/calls/record-schema.ts");
type Normalize = typeof import("../../src/model/calls/normalize.ts");
type RecordCount = typeof import("../../src/model/calls/record-count.ts");

/** The Worker's own ingest code, bundled for Node (its modules import without extensions). */
export type IngestCode = Pick<Ingest, "parsePushBody" | "callUpserts"> &
  Pick<RecordSchema, "parseRecord"> &
  Pick<Normalize, "normalize"> &
  Partial<Pick<RecordCount, "countPushRecords">> & {
    sqlToQuery(statement: unknown): { sql: string; params: unknown[] };
  };

/** Bundles the ingest code of `root` (and what it imports) with esbuild into `workDir` and imports it. */
export async function loadIngestCode(root: string, workDir: string): Promise<IngestCode> {
  const src = (path: string) => JSON.stringify(join(root, "src", path));
  // Commits before the layer folders (issue 18) kept the call model and ingest together in src/ingest/.
  const layered = existsSync(join(root, "src/pipeline/ingest/ingest.ts"));
  const [ingest, model] = layered ? ["pipeline/ingest/", "model/calls/"] : ["ingest/", "ingest/"];
  const entry = [
    `export { callUpserts, parsePushBody } from ${src(`${ingest}ingest.ts`)};`,
    `export { parseRecord } from ${src(`${model}record-schema.ts`)};`,
    `export { normalize } from ${src(`${model}normalize.ts`)};`,
    // The record count of MAX_PUSH_RECORDS, where the commit has it.
    ...(existsSync(join(root, "src", `${model}record-count.ts`))
      ? [`export { countPushRecords } from ${src(`${model}record-count.ts`)};`]
      : []),
    `import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";`,
    "const dialect = new SQLiteAsyncDialect();",
    "export const sqlToQuery = (statement) => dialect.sqlToQuery(statement);",
  ].join("\n");
  return bundleForNode<IngestCode>(entry, root, join(workDir, "ingest-code.mjs"));
}

/** Bundles an entry module's source (resolved from `root`) for Node with esbuild into `file` and imports it. */
export async function bundleForNode<T>(entry: string, root: string, file: string): Promise<T> {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "bench-entry.ts", loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    write: false,
    logLevel: "silent",
  });
  await writeFile(file, result.outputFiles[0]?.text ?? "");
  return (await import(pathToFileURL(file).href)) as T;
}

/**
 * One measured stage, per record: wall-clock time (inflated when other processes compete for the cores); CPU
 * time of the main thread, where the code runs; CPU time of the whole process, which adds V8's GC helper
 * threads: the figure to hold against a CPU budget.
 */
export interface StageResult {
  stage: string;
  records: number;
  wallUsPerRecord: number;
  threadCpuUsPerRecord: number;
  processCpuUsPerRecord: number;
}

/** Main-thread CPU in µs (Node ≥ 23.9); NaN where `process.threadCpuUsage` does not exist. */
function threadCpuUs(): number {
  if (typeof process.threadCpuUsage !== "function") return Number.NaN;
  const { user, system } = process.threadCpuUsage();
  return user + system;
}

function measure<T>(stage: string, items: readonly T[], perItem: number, runs: number, work: (item: T) => void) {
  const pass = (list: readonly T[]) => {
    for (const item of list) work(item);
  };
  pass(items.slice(0, Math.max(1, Math.ceil(items.length / 5)))); // warm-up: JIT and caches
  const walls: number[] = [];
  const threads: number[] = [];
  const processes: number[] = [];
  const records = items.length * perItem;
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const thread0 = threadCpuUs();
    const t0 = performance.now();
    pass(items);
    const wallUs = (performance.now() - t0) * 1000;
    const thread = threadCpuUs() - thread0;
    const cpu = process.cpuUsage(cpu0);
    walls.push(wallUs / records);
    threads.push(thread / records);
    processes.push((cpu.user + cpu.system) / records);
  }
  return {
    stage,
    records,
    wallUsPerRecord: median(walls),
    threadCpuUsPerRecord: median(threads),
    processCpuUsPerRecord: median(processes),
  } satisfies StageResult;
}

/**
 * The CPU cost of reading records, in-process, over `bodies` (push bodies of the same size): the record count of
 * the push route (`MAX_PUSH_RECORDS`) and `parsePushBody` as a whole (what the target is about), then their parts
 * (the count, JSON.parse, the read + normalize), and the upsert SQL built afterwards.
 */
export function measureParseCpu(code: IngestCode, bodies: readonly string[], runs = 3): StageResult[] {
  const receivedAt = Date.now();
  const perBody = (JSON.parse(bodies[0] as string) as { array: unknown[] }).array.length;
  const check = code.parsePushBody(bodies[0] as string, "src_default", receivedAt);
  if (check.rejected.length > 0) {
    throw new Error(`generated records were rejected: ${JSON.stringify(check.rejected.slice(0, 3))}`);
  }
  const objects = bodies.map((b) => (JSON.parse(b) as { array: unknown[] }).array);
  const parsed = bodies.map((b) => code.parsePushBody(b, "src_default", receivedAt));
  let sink = 0;
  const count = code.countPushRecords ?? (() => 0);
  const results = [
    measure("count + parse + normalize + build the upserts: all of it", bodies, perBody, runs, (body) => {
      sink += count(body, 10_000);
      const p = code.parsePushBody(body, "src_default", receivedAt);
      for (const s of code.callUpserts(p, { pushId: "psh_bench", receivedAt }))
        sink += code.sqlToQuery(s).params.length;
    }),
    measure("parsePushBody: the whole read, per record", bodies, perBody, runs, (body) => {
      sink += code.parsePushBody(body, "src_default", receivedAt).calls.length;
    }),
    measure("· countPushRecords: the record cap, before the parse", bodies, perBody, runs, (body) => {
      sink += count(body, 10_000);
    }),
    measure("· JSON.parse of the body", bodies, perBody, runs, (body) => {
      sink += (JSON.parse(body) as { array: unknown[] }).array.length;
    }),
    measure("· parseRecord + normalize", objects, perBody, runs, (records) => {
      for (const record of records) {
        const r = code.parseRecord(record);
        if (r.ok) sink += code.normalize(r.report, "src_default", receivedAt).connected ? 1 : 0;
      }
    }),
    measure("after the read: build the calls upsert SQL", parsed, perBody, runs, (p) => {
      for (const s of code.callUpserts(p, { pushId: "psh_bench", receivedAt }))
        sink += code.sqlToQuery(s).params.length;
    }),
  ];
  if (sink < 0) console.log(sink); // keeps the work observable
  return results;
}
