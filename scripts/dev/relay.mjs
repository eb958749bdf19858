// @ts-check
// Starts the Worker locally the way `npm run dev` and `npm run demo` do: local secrets, local D1 migrations
// without a prompt, `wrangler dev --test-scheduled` with its start-up banner held back, and a ticker that runs
// the scheduled handler every minute, as the `* * * * *` cron does once deployed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { parseEnv } from "node:util";
import { isPlaceholderToken, randomToken, tokenProblem } from "../../src/lib/secret-token.js";
import { devArgs } from "./args.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wranglerBin = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
const TICK_MS = 60_000;

/** The secrets `wrangler.toml` requires (`[secrets] required`): wrangler dev reads them from `.dev.vars`. */
const REQUIRED_SECRETS = ["ADMIN_TOKEN", "PUSH_TOKEN"];

/** What `npm run dev` adds to a new `.dev.vars`: destinations may be plain http to this machine (never deployed). */
const LOCAL_ONLY =
  '\n# Local only: destinations may be plain http to this machine (the sink).\nALLOW_HTTP_DESTINATIONS="1"\n';

/**
 * `text` of a dotenv file with every placeholder value (`replace-me…`) replaced by a new random token; and the
 * names replaced.
 * @param {string} text
 */
export function fillPlaceholders(text) {
  /** @type {string[]} */
  const filled = [];
  const out = text.replace(/^([A-Z0-9_]+)[ \t]*=[ \t]*("?)([^"\n]*)\2[ \t]*$/gm, (line, name, _quote, value) => {
    if (!isPlaceholderToken(value)) return line;
    filled.push(name);
    return `${name}="${randomToken()}"`;
  });
  return { text: out, filled };
}

/**
 * Makes `.dev.vars` ready for `wrangler dev` without a question: created from `.dev.vars.example` on first run,
 * and any placeholder token in it replaced by a new random one (a placeholder is refused by the Worker). Answers
 * its values and what is wrong with its tokens (too short, say), for the start-up lines.
 */
export function ensureDevVars() {
  const created = !existsSync(".dev.vars");
  const before = created
    ? `${readFileSync(".dev.vars.example", "utf8")}${LOCAL_ONLY}`
    : readFileSync(".dev.vars", "utf8");
  const { text, filled } = fillPlaceholders(before);
  if (created || filled.length > 0) writeFileSync(".dev.vars", text, { mode: 0o600 });
  if (created) console.log(`Created .dev.vars with a new random local ${filled.join(" and ")}.`);
  else if (filled.length > 0)
    console.log(`.dev.vars: replaced the placeholder ${filled.join(" and ")} with random tokens.`);
  const vars = parseEnv(text);
  return {
    adminToken: vars.ADMIN_TOKEN ?? "",
    pushToken: vars.PUSH_TOKEN ?? "",
    vars,
    warnings: REQUIRED_SECRETS.flatMap((name) => tokenProblem(name, vars[name]) ?? []),
  };
}

/**
 * `--var NAME:VALUE` for each non-empty `.dev.vars` entry that is not a required secret: with `[secrets]
 * required` set, wrangler dev reads only those and the `[vars]` names from `.dev.vars`, so optional secrets
 * (the platform API credentials) are passed this way.
 * @param {Record<string, string | undefined>} vars
 */
export function optionalVarArgs(vars) {
  return Object.entries(vars).flatMap(([name, value]) =>
    REQUIRED_SECRETS.includes(name) || !value ? [] : ["--var", `${name}:${value}`],
  );
}

/** Applies the local D1 migrations without asking; prints wrangler's output only when it fails. */
export function applyLocalMigrations() {
  const result = spawnSync(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local"], {
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
 * Starts `wrangler dev` with callrelay's defaults (127.0.0.1:8787, `--test-scheduled`), each replaced by the same
 * flag in `args`, and resolves once `/health` answers. Wrangler's lines before then (banner, bindings table) are
 * held back and printed only if it fails to start; later lines pass through, except the ticker's own requests.
 * @param {{args?: string[], quiet?: boolean}} options
 */
export async function startRelay({ args = [], quiet = false }) {
  const dev = devArgs(args);
  // Wrangler's own script under this Node, in its own process group (not on Windows), so `stop` ends wrangler and
  // its workerd together whether the signal came from a terminal's Ctrl-C or to this process alone.
  const group = process.platform !== "win32";
  const child = spawn(process.execPath, [wranglerBin, "dev", ...dev.args], {
    env,
    stdio: ["inherit", "pipe", "pipe"],
    detached: group,
  });
  /** @param {NodeJS.Signals} signal */
  const signal = (signal) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (group && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  };
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
  const { url } = dev;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 120_000;
  while (!ready) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 300))]);
    if (code !== undefined || Date.now() > deadline) {
      process.stderr.write(`${held.join("\n")}\nwrangler dev did not start (above).\n`);
      signal("SIGTERM");
      process.exit(1);
    }
    ready = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
  }
  const tick = () => fetch(`${url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`).catch(() => undefined);
  await tick(); // at once, as a deployed cron's first run comes within a minute: /health then has its cron run
  const ticker = setInterval(tick, TICK_MS);
  const stop = () => {
    clearInterval(ticker);
    signal("SIGINT");
  };
  child.once("exit", (code) => {
    clearInterval(ticker);
    if (code) process.exitCode = code;
  });
  return { url, stop, exited };
}
