import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Runs a vitest run of its own; answers its exit code, or "stalled" (ending the run) after `ms`. */
function runFixture(ms: number): Promise<number | "stalled"> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["vitest", "run", "--config", "test/stall/vitest.fixture.config.ts"], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, VITEST_JSON_REPORT: "" },
    });
    const timer = setTimeout(() => {
      // The run and the workerd it started, and nothing else.
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      resolve("stalled");
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

describe("the test suite", () => {
  it("ends on its own when a test file leaves queue work for a receiver that is gone", async () => {
    expect(await runFixture(120_000)).toBe(0);
  }, 150_000);
});
