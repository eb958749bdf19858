#!/usr/bin/env node
// `npm run bench:ingest`: push throughput and latency of callrelay under `wrangler dev --local`, against a floor
// Worker that upserts each record with one prepared statement (whole record as JSON, one D1 batch), plus the
// in-process CPU cost of reading records and building their statements.
// Options: --quick (fewer requests, for a smoke run), --skip-cpu, --skip-http, --keep (keep the temp directory),
// --ref <commit> (bench that commit's callrelay instead of the working tree), --cpu-records <n>,
// --floor-without-rollups (the floor keeps no stats rollups: what the rollups cost callrelay).
// The floor keeps the hourly call and task rollups the plainest way, with the per-row triggers callrelay had before
// it kept them with grouped statements in the push's batch (migration `call_rollups_in_push_batch`).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { type LoadResult, postPush, runLoad } from "./lib/load.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { loadIngestCode, measureParseCpu } from "./lib/parse-cpu.ts";
import { type PlatformRecord, pushBody, recordFactory } from "./lib/records.ts";
import { type SourceTree, sourceTree } from "./lib/source-tree.ts";
import { fmt, ratio } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { type DevWorker, queryLocalD1, startDevWorker } from "./lib/wrangler.ts";

const PUSH_TOKEN = "bench-token";
/** The per-record CPU budget for reading a record and building its statements (parse + normalize + build). */
const TARGET_US_PER_RECORD = 15;
const CONCURRENCIES = [1, 4, 16] as const;
/** Per batch size: at most this many requests and this long per cell (requests in flight then still finish). */
const PLANS = [
  { batch: 1, maxRequests: 1500, maxMs: 6000 },
  { batch: 100, maxRequests: 240, maxMs: 8000 },
  { batch: 1000, maxRequests: 32, maxMs: 10000 },
] as const;

/** The per-row triggers on `calls` that kept the stats rollups (migration `stats_rollup_triggers`), for the floor. */
const ROLLUP_TRIGGERS = ["call_rollups_insert", "call_rollups_update", "task_rollups_update"];

/** The floor's rollup triggers, as migration `stats_rollup_triggers` created them. */
async function rollupTriggers(): Promise<string> {
  const migration = await readFile("migrations/0008_stats_rollup_triggers.sql", "utf8");
  const statements = migration.split("--> statement-breakpoint").map((s) => s.trim());
  return ROLLUP_TRIGGERS.map((name) => {
    const found = statements.find((s) => s.startsWith(`CREATE TRIGGER ${name} `));
    if (!found) throw new Error(`migration stats_rollup_triggers has no trigger ${name}`);
    return found;
  }).join("\n");
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean" },
    "skip-cpu": { type: "boolean" },
    "skip-http": { type: "boolean" },
    keep: { type: "boolean" },
    "cpu-records": { type: "string" },
    ref: { type: "string" },
    "floor-without-rollups": { type: "boolean" },
  },
});
const quick = flags.quick === true;
const log = (line: string) => console.error(line);
const nextRecord = recordFactory({ seed: 7 });

function bodies(count: number, batch: number): string[] {
  return Array.from({ length: count }, () => {
    const records: PlatformRecord[] = Array.from({ length: batch }, () => nextRecord());
    return pushBody(records);
  });
}

async function cpuSection(tree: SourceTree, workDir: string): Promise<string> {
  const total = Number(flags["cpu-records"] ?? (quick ? 20_000 : 100_000));
  log(`CPU: bundling src/pipeline/ingest with esbuild, reading ${total.toLocaleString("en-US")} records…`);
  const code = await loadIngestCode(tree.root, workDir);
  const results = measureParseCpu(code, bodies(Math.max(1, Math.round(total / 1000)), 1000));
  const budget = (us: number) =>
    `${fmt((us / TARGET_US_PER_RECORD) * 100, 2)}% of ${TARGET_US_PER_RECORD} µs ${us > TARGET_US_PER_RECORD ? "✗ over" : "✓"}`;
  const rows = results.map((r) => [
    r.stage,
    fmt(r.wallUsPerRecord),
    fmt(r.threadCpuUsPerRecord),
    fmt(r.processCpuUsPerRecord),
    r.stage.startsWith("parse + normalize + build") ? budget(r.processCpuUsPerRecord) : "",
  ]);
  return [
    `### Parse + normalize CPU, in-process (Node ${process.version}, ${results[0]?.records.toLocaleString("en-US")} records in bodies of 1,000, median of 3 runs, µs per record)`,
    "",
    markdownTable(["stage", "wall", "CPU, main thread", "CPU, process", "process CPU vs target"], rows),
    "",
    "The target is held against process CPU: the main thread plus V8's GC helper threads, all the CPU the read",
    "costs. CPU time is not inflated by other processes on the machine; wall time is (it includes waiting for a",
    "core). Under `node --single-threaded-gc` the main-thread figure becomes the process figure.",
  ].join("\n");
}

interface Cell {
  batch: number;
  concurrency: number;
  ingest: LoadResult;
  floor: LoadResult;
  load: string;
}

async function httpSection(tree: SourceTree, workDir: string): Promise<string> {
  log("Starting callrelay and the floor Worker under wrangler dev --local (build, migrations, start)…");
  const ingest = await startDevWorker(
    { name: "callrelay", root: tree.root, config: "wrangler.toml", vars: { PUSH_TOKEN }, readyPath: "/health" },
    workDir,
  );
  const floor = await startDevWorker(
    { name: "floor", config: "bench/floor-worker/wrangler.toml", vars: { PUSH_TOKEN }, readyPath: "/health" },
    workDir,
  );
  if (flags["floor-without-rollups"]) {
    log("  floor: keeps no rollups");
  } else {
    await queryLocalD1(floor, await rollupTriggers());
    const made = await queryLocalD1(
      floor,
      "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls'",
    );
    if (made.length !== ROLLUP_TRIGGERS.length) throw new Error(`floor: rollup triggers not created (${made.length})`);
    log(`  floor: keeps the rollups with per-row triggers on calls (${ROLLUP_TRIGGERS.join(", ")})`);
  }
  log(`  callrelay ${ingest.url}, floor ${floor.url} (logs in ${workDir})`);
  const pushUrl = (w: DevWorker) => `${w.url}/push/${PUSH_TOKEN}`;
  const run = (w: DevWorker, batch: number, count: number, concurrency: number, maxMs: number) =>
    runLoad({
      items: bodies(count, batch),
      concurrency,
      maxMs,
      send: (body) => postPush(pushUrl(w), body, batch),
    });

  log("Warming up both…");
  for (const w of [ingest, floor]) {
    for (const [batch, count] of [
      [1, 20],
      [100, 5],
      [1000, 2],
    ] as const) {
      const warm = await run(w, batch, count, 1, 30_000);
      if (warm.failed > 0) throw new Error(`${w.name} fails pushes: ${warm.errors.join("; ")}\n${w.output()}`);
    }
  }

  log("Round trip with no D1 (GET of an unknown path on the floor Worker)…");
  const roundTrips: string[][] = [];
  for (const concurrency of CONCURRENCIES) {
    const r = await runLoad({
      items: Array.from({ length: quick ? 300 : 1500 }, (_, i) => i),
      concurrency,
      maxMs: quick ? 1500 : 4000,
      send: async () => {
        const res = await fetch(`${floor.url}/bench-no-such-path`);
        await res.arrayBuffer();
        return { ok: res.status === 404, records: 1, error: `HTTP ${res.status}` };
      },
    });
    roundTrips.push([String(concurrency), String(r.requests), fmt(r.recordsPerSecond), fmt(r.p50Ms), fmt(r.p99Ms)]);
  }

  const cells: Cell[] = [];
  for (const plan of PLANS) {
    for (const concurrency of CONCURRENCIES) {
      const count = quick ? Math.max(concurrency * 2, Math.ceil(plan.maxRequests / 5)) : plan.maxRequests;
      const maxMs = quick ? plan.maxMs / 3 : plan.maxMs;
      const a = await run(ingest, plan.batch, count, concurrency, maxMs);
      const b = await run(floor, plan.batch, count, concurrency, maxMs);
      cells.push({ batch: plan.batch, concurrency, ingest: a, floor: b, load: loadNow() });
      log(
        `  batch ${plan.batch} × ${concurrency} in flight: callrelay ${fmt(a.recordsPerSecond)} rec/s ` +
          `(p50 ${fmt(a.p50Ms)} ms, ${a.requests} req, ${a.failed} failed), floor ${fmt(b.recordsPerSecond)} rec/s ` +
          `(p50 ${fmt(b.p50Ms)} ms, ${b.requests} req, ${b.failed} failed)`,
      );
      for (const [name, r] of [
        ["callrelay", a],
        ["floor", b],
      ] as const) {
        if (r.errors.length > 0) log(`    ${name} errors: ${r.errors.join(" | ")}`);
      }
    }
  }
  const rows = cells.map((c) => [
    String(c.batch),
    String(c.concurrency),
    `${c.ingest.requests}/${c.floor.requests}`,
    fmt(c.ingest.recordsPerSecond),
    fmt(c.ingest.p50Ms),
    fmt(c.ingest.p99Ms),
    fmt(c.floor.recordsPerSecond),
    fmt(c.floor.p50Ms),
    fmt(c.floor.p99Ms),
    ratio(c.ingest.recordsPerSecond, c.floor.recordsPerSecond),
    ratio(c.ingest.p50Ms, c.floor.p50Ms),
    ratio(c.ingest.p99Ms, c.floor.p99Ms),
    c.ingest.failed + c.floor.failed === 0 ? "0" : `${c.ingest.failed}/${c.floor.failed}`,
    c.load,
  ]);
  return [
    "### Push ingest under wrangler dev --local: callrelay vs floor (latencies in ms, per request)",
    "",
    flags["floor-without-rollups"]
      ? "The floor keeps no stats rollups (`--floor-without-rollups`)."
      : "The floor keeps the call and task rollups with per-row triggers on `calls`.",
    "",
    markdownTable(
      [
        "batch",
        "in flight",
        "requests (callrelay/floor)",
        "callrelay rec/s",
        "p50",
        "p99",
        "floor rec/s",
        "p50",
        "p99",
        "rec/s ratio",
        "p50 ratio",
        "p99 ratio",
        "failed",
        "load",
      ],
      rows,
    ),
    "",
    "Ratios are callrelay ÷ floor: below 1× for rec/s, or above 1× for latency, means callrelay is slower.",
    "load: the 1-minute load average after the cell; above the core count, other processes competed with the bench.",
    "",
    "### wrangler dev round trip with no D1 work (GET of an unknown path on the floor Worker, answered 404)",
    "",
    markdownTable(["in flight", "requests", "req/s", "p50 ms", "p99 ms"], roundTrips),
  ].join("\n");
}

async function main() {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const tree = await sourceTree(flags.ref, workDir);
  const sections = [
    `## bench:ingest — ${new Date().toISOString()}`,
    "",
    `Machine: ${machineSummary()}`,
    `callrelay: ${tree.label}`,
  ];
  if (quick) sections.push("", "**--quick run: fewer requests per cell; figures are indicative only.**");
  if (!flags["skip-cpu"]) sections.push("", await cpuSection(tree, workDir));
  if (!flags["skip-http"]) sections.push("", await httpSection(tree, workDir));
  sections.push(
    "",
    `Total bench time: ${fmt((Date.now() - started) / 1000)} s${flags.keep ? ` (kept ${workDir})` : ""}`,
  );
  console.log(sections.join("\n"));
}

try {
  await main();
} catch (err) {
  console.error(`\nbench:ingest failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
