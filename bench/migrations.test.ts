import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify, readMigrations, runMigrationBench } from "./lib/migration-bench.ts";

const migrations = readMigrations(join(import.meta.dirname, "../migrations"));
/** Migrations 0000–0015 were applied before upgrades had to stay within D1's limits (README, Upgrading). */
const isLegacy = (name: string) => Number(name.slice(0, 4)) <= 15;

describe("migrations on data written by each older schema (the small variant of npm run bench:migrations)", () => {
  const results = [...runMigrationBench(migrations, 10_000)];

  it("applies every file to a database of 10,000 calls written by the schema before it, keeping every call", () => {
    expect(results.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    for (const r of results.slice(1))
      expect({ name: r.name, calls: r.callsAfter }).toEqual({ name: r.name, calls: 10_000 });
  });

  it("moves data across all rows only in the legacy files: later moves are background jobs", () => {
    const moves = results.filter((r) => r.kind === "data move").map((r) => r.name);
    expect(moves.filter((name) => !isLegacy(name))).toEqual([]);
    expect(moves).toEqual(["0005_call_extra_from_raw.sql", "0006_lean_calls.sql", "0008_stats_rollup_triggers.sql"]);
  });
});

describe("classify", () => {
  it("tells data moves, index builds and schema-only statements apart", () => {
    expect(classify("UPDATE `calls` SET extra = NULL;")).toBe("data move");
    expect(classify("INSERT INTO task_rollups (hour) SELECT 1 FROM calls GROUP BY 1;")).toBe("data move");
    expect(classify("ALTER TABLE `calls` DROP COLUMN `raw`;")).toBe("data move");
    expect(classify("INSERT INTO `__new_calls`(`id`) SELECT `id` FROM `calls`;")).toBe("data move");
    expect(classify("CREATE INDEX `calls_x` ON `calls` (`x`);")).toBe("index build");
    expect(
      classify("CREATE TABLE `jobs` (`name` text);\n--> statement-breakpoint\nCREATE INDEX `j` ON `jobs` (`name`);"),
    ).toBe("schema only");
    expect(classify("DROP INDEX `calls_task_idx`;--> statement-breakpoint\nALTER TABLE `calls` ADD `x` text;")).toBe(
      "schema only",
    );
    expect(classify("-- UPDATE calls SET x = 1\nINSERT INTO jobs (name) VALUES ('x');")).toBe("schema only");
  });
});
