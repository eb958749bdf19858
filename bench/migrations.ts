#!/usr/bin/env node
// `npm run bench:migrations`: every migration file, in order, applied to a database holding 1,000,000 calls written by
// the schema before it (a fresh SQLite file per file, filled as that schema's relay wrote: calls, a push log row per
// 100 calls, 0.6 deliveries per call with an attempt each, rollups where the schema kept them), each file timed and
// scaled to 20,000,000 calls (about what D1's 10 GB cap holds) as n·log n. Goal: ≤ 5 s per file at 20M.
// Options: --calls <n> (default 1000000), --only <prefix>[,<prefix>…] (files whose name starts with one), --keep.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { readMigrations, runMigrationBench, scaleTime } from "./lib/migration-bench.ts";
import { fmt } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { ROOT } from "./lib/wrangler.ts";

const TARGET = 20_000_000;
const GOAL_MS = 5000;
/** Files 0000–0015 were applied before this bench existed: they cannot change (README, Upgrading). */
const isLegacy = (name: string) => Number(name.slice(0, 4)) <= 15;

const { values: flags } = parseArgs({
  options: { calls: { type: "string" }, only: { type: "string" }, keep: { type: "boolean" } },
});
const calls = Number(flags.calls ?? 1_000_000);

async function main() {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-migrations-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const loadStart = loadNow();
  const migrations = readMigrations(join(ROOT, "migrations"));
  const rows: string[][] = [];
  const over: string[] = [];
  const only = flags.only?.split(",");
  const pick = (name: string) => only === undefined || only.some((prefix) => name.startsWith(prefix));
  for (const r of runMigrationBench(migrations, calls, (name) => join(workDir, `${name}.sqlite`), pick)) {
    const scaled = scaleTime(r.applyMs, calls, TARGET, r.floorMs);
    const ok = scaled <= GOAL_MS;
    if (!ok && !isLegacy(r.name)) over.push(r.name);
    console.error(`  ${r.name}: ${fmt(r.applyMs)} ms (filled in ${fmt(r.fillMs / 1000)} s), load ${loadNow()}`);
    rows.push([
      r.name,
      r.kind,
      fmt(r.applyMs),
      fmt(r.floorMs),
      fmt(scaled / 1000),
      `${ok ? "✓" : "✗"}${isLegacy(r.name) ? " (legacy)" : ""}`,
      r.callsBefore === r.callsAfter ? "kept" : `${r.callsBefore} → ${r.callsAfter}`,
    ]);
  }
  console.log(
    [
      `## bench:migrations — ${new Date().toISOString()}`,
      "",
      `Machine: ${machineSummary()}; load at start ${loadStart}, at the end ${loadNow()}`,
      `Each file applied (one transaction) to a fresh SQLite file holding ${calls.toLocaleString("en-US")} calls written by the schema before it; scaled to ${TARGET.toLocaleString("en-US")} calls as floor + (time − floor) × (20M / n) × (log 20M / log n), the floor being the same database's cost of any file (a transaction creating and dropping an empty table).`,
      "",
      markdownTable(
        [
          "file",
          "work on growing tables",
          `ms @ ${fmt(calls / 1e6)}M calls`,
          "floor ms",
          "s @ 20M (scaled)",
          "goal ≤ 5 s",
          "calls",
        ],
        rows,
      ),
      "",
      over.length === 0
        ? "Every file after the legacy ones (0000–0015) is within the goal."
        : `Over the goal: ${over.join(", ")}.`,
      "",
      `Total bench time: ${fmt((Date.now() - started) / 1000)} s${flags.keep ? ` (kept ${workDir})` : ""}`,
    ].join("\n"),
  );
  if (over.length > 0) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  console.error(`\nbench:migrations failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
