import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { historyPlan } from "./history-plan.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

describe("the history plan", () => {
  const plan = historyPlan();

  it("names files that exist and flags the installed wrangler knows", { timeout: 120_000 }, async () => {
    await access(join(ROOT, "basin/calls.schema.json"));
    await Promise.all(
      plan.steps.map(async (step) => {
        // The command's words without its positional name: `basin pipelines sinks create`, `r2 bucket create`.
        const flagAt = step.command.findIndex((w) => w.startsWith("--"));
        const base = step.command.slice(0, (flagAt === -1 ? step.command.length : flagAt) - 1);
        const { stdout } = await run(
          process.execPath,
          [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...base, "--help"],
          {
            cwd: ROOT,
            env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
          },
        );
        for (const flag of step.command.filter((w) => w.startsWith("--"))) {
          expect(stdout, `${step.id}: ${flag}`).toContain(flag.split("=")[0]);
        }
      }),
    );
  });

  it("has no partition spec to give the Iceberg sink: the installed wrangler partitions r2 sinks only", {
    timeout: 60_000,
  }, async () => {
    // README, "Partitioning": when a wrangler upgrade offers one for Iceberg sinks, this fails and the plan should use it.
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "basin", "pipelines", "sinks", "create", "--help"],
      { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
    );
    const partitionFlags = stdout.split("\n").filter((line) => /partition/i.test(line));
    expect(partitionFlags).toHaveLength(1);
    expect(partitionFlags[0]).toMatch(/--partitioning\s+Time partition pattern \(r2 sinks only\)/);
  });

  it("pipes the stream into the sink", () => {
    expect(plan.steps.find((s) => s.id === "pipeline")?.command).toContain(
      "INSERT INTO callrelay_calls_sink SELECT * FROM callrelay_calls",
    );
    expect(plan.binding.binding).toBe("CALLS_STREAM");
  });
});
