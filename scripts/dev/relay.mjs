// @ts-check
// Starts the Worker locally the way `npm run dev` and `npm run demo` do: local secrets, local D1 migrations
// without a prompt, `wrangler dev --test-scheduled` with its start-up banner held back, and a ticker that runs
// the scheduled handler every minute, as the `* * * * *` cron does once deployed.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const TICK_MS = 60_000;

/** Creates `.dev.vars` from the example on first run; answers its local tokens. */
export function ensureDevVars() {
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    console.log("Created .dev.vars from .dev.vars.example (local ADMIN_TOKEN and PUSH_TOKEN).");
  }
  const vars = readFileSync(".dev.vars", "utf8");
  /** @param {string} name */
  const read = (name) => new RegExp(`^${name}\\s*=\\s*"?([^"\\n]*)"?`, "m").exec(vars)?.[1] ?? "";
  return { adminToken: read("ADMIN_TOKEN"), pushToken: read("PUSH_TOKEN") };
}

/** Applies the local D1 migrations without asking; prints wrangler's output only when it fails. */
export function applyLocalMigrations() {
  const result = spawnSync(npx, ["wrangler", "d1", "migrations", "apply", "DB", "--local"], {
    env: { ...env, CI: "true" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}Local D1 migrations failed (above).\n`);
    process.exit(result.status ?? 1);
  }
  const lastTable = result.stdout.slice(result.stdout.lastIndexOf("┌"));
  return result.stdout.includes("No migrations to apply") ? 0 : (lastTable.match(/✅/g) ?? []).length;
}

/**
 * Starts `wrangler dev` on 127.0.0.1:`port` and resolves once `/health` answers. Wrangler's lines before then
 * (banner, bindings table) are held back and printed only if it fails to start; later lines pass through,
 * except the ticker's own requests.
 * @param {{port: number, args?: string[], quiet?: boolean}} options
 */
export async function startRelay({ port, args = [], quiet = false }) {
  const child = spawn(
    npx,
    ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--test-scheduled", ...args],
    { env, stdio: ["inherit", "pipe", "pipe"] },
  );
  let ready = false;
  /** @type {string[]} */
  const held = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (!ready) held.push(line);
      else if (!quiet && !/GET \/health|\/cdn-cgi\/handler\/scheduled|^Ran scheduled event/.test(line))
        console.log(line);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 120_000;
  while (!ready) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 300))]);
    if (code !== undefined || Date.now() > deadline) {
      process.stderr.write(`${held.join("\n")}\nwrangler dev did not start (above).\n`);
      child.kill();
      process.exit(1);
    }
    ready = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
  }
  const tick = () => fetch(`${url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`).catch(() => undefined);
  const ticker = setInterval(tick, TICK_MS);
  const stop = () => {
    clearInterval(ticker);
    child.kill("SIGINT");
  };
  child.once("exit", (code) => {
    clearInterval(ticker);
    if (code) process.exitCode = code;
  });
  return { url, stop, exited };
}
