import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether anything still answers on `port`. */
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health`).then(
    () => true,
    () => false,
  );

describe("npm run dev", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`stops wrangler and workerd when its own process alone gets ${signal}`, async () => {
      const port = await freePort();
      // Its own process group, so the test can end everything it started if the signal does not.
      const dev = spawn(process.execPath, ["scripts/dev.mjs", "--port", String(port)], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise<number | null>((resolve) => dev.once("exit", (code) => resolve(code)));
      let output = "";
      dev.stdout.on("data", (chunk) => {
        output += chunk;
      });
      try {
        while (!output.includes("Ctrl-C stops it.")) {
          const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("wait"), 200))]);
          if (code !== "wait") throw new Error(`npm run dev ended before it started: ${code}\n${output}`);
        }
        expect(await answers(port)).toBe(true);
        dev.kill(signal);
        const ended = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 20_000))]);
        expect(ended).not.toBe("still running");
        expect(await answers(port)).toBe(false);
      } finally {
        if (dev.pid !== undefined && dev.exitCode === null) process.kill(-dev.pid, "SIGKILL");
      }
    }, 90_000);
  }
});
