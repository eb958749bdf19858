import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { optionalVarArgs } from "../../scripts/dev/relay.mjs";
import { onCleanup } from "./cleanup.ts";
import { freePort } from "./ports.ts";

/** The project's root directory. */
export const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/** Wrangler without telemetry, without the `Request.cf` download, without reloads when files change. */
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  CI: "true",
};

/** The last `max` characters written to a stream, for error messages. */
function tail(max = 4000) {
  let text = "";
  return {
    push(chunk: Buffer) {
      text = (text + chunk.toString("utf8")).slice(-max);
    },
    get text() {
      return text;
    },
  };
}

/** Runs one wrangler command to completion, its output into `logFile`; throws with the output's end on failure. */
export async function wrangler(args: readonly string[], logFile: string, cwd = ROOT): Promise<void> {
  const log = createWriteStream(logFile, { flags: "a" });
  const out = tail();
  log.write(`$ wrangler ${args.join(" ")}\n`);
  const child = spawn(process.execPath, [WRANGLER, ...args], { cwd, env: wranglerEnv, stdio: "pipe" });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      log.write(chunk);
      out.push(chunk);
    });
  }
  const code = await new Promise<number | null>((done, fail) => {
    child.once("error", fail);
    child.once("exit", done);
  });
  await new Promise((done) => log.end(done));
  if (code !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${code}):\n${out.text}`);
}

/** A Worker to run under `wrangler dev`. */
export interface WorkerSpec {
  /** Short name, for logs and directories. */
  name: string;
  /** The directory its sources are in (default: the project's root). */
  root?: string;
  /** Path of its wrangler.toml, from `root`. */
  config: string;
  /** Vars and secrets, written to an env file (so a developer's `.dev.vars` is not read). */
  vars: Record<string, string>;
  /** A GET path answering 200 once the Worker and its D1 are up. */
  readyPath: string;
  /** More `wrangler dev` flags, e.g. `--test-scheduled`. */
  devArgs?: readonly string[];
  /** wrangler's `--log-level` (default `warn`; `log` keeps the Worker's console.log lines in the log file). */
  logLevel?: "warn" | "log";
}

/** A Worker running under `wrangler dev --local`. */
export interface DevWorker {
  name: string;
  url: string;
  persistDir: string;
  configPath: string;
  logFile: string;
  /** wrangler's process id, also its process group's (workerd runs in that group). */
  pid: number;
  /** The end of wrangler's output so far. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILLs wrangler's process group at once, workerd included: a crash, not a shutdown. */
  kill(): Promise<void>;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      if (res.ok) return;
      last = `HTTP ${res.status}: ${body.slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev not ready after ${timeoutMs} ms at ${url} (${last}):\n${output()}`);
}

/**
 * Starts a Worker locally the way `npm run dev` does, but isolated and frozen: it is built once
 * (`wrangler deploy --dry-run`), its migrations are applied to a fresh `--persist-to` directory, and
 * `wrangler dev --local --no-bundle` serves that build on a free 127.0.0.1 port, so edits under `src/`
 * during a run do not reload it. Stopped at the end of the run, even on error.
 */
export async function startDevWorker(spec: WorkerSpec, workDir: string): Promise<DevWorker> {
  const dir = join(workDir, spec.name);
  const persistDir = join(dir, "state");
  const bundleDir = join(dir, "bundle");
  const envFile = join(dir, "vars.env");
  const logFile = join(dir, "wrangler.log");
  const root = spec.root ?? ROOT;
  const configPath = resolve(root, spec.config);
  await mkdir(dir, { recursive: true });
  await writeFile(
    envFile,
    Object.entries(spec.vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
      .join(""),
  );

  await wrangler(["deploy", "--dry-run", "-c", configPath, "--outdir", bundleDir], logFile, root);
  const entry = (await readdir(bundleDir)).find((f) => f.endsWith(".js"));
  if (!entry) throw new Error(`no .js file in ${bundleDir}`);
  await wrangler(
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir, "-c", configPath],
    logFile,
    root,
  );

  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    "dev",
    join(bundleDir, entry),
    "-c",
    configPath,
    "--no-bundle",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--env-file",
    envFile,
    // With `[secrets] required`, wrangler dev reads only those (and `[vars]` names) from the env file.
    ...optionalVarArgs(spec.vars),
    "--show-interactive-dev-session=false",
    "--log-level",
    spec.logLevel ?? "warn",
    ...(spec.devArgs ?? []),
  ];
  const log = createWriteStream(logFile, { flags: "a" });
  log.write(`$ wrangler ${args.join(" ")}\n`);
  const out = tail();
  // detached: its own process group, so wrangler and its workerd children are stopped together.
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: root,
    env: wranglerEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      log.write(chunk);
      out.push(chunk);
    });
  }
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async () => {
    unregister();
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive wrangler for a moment: make sure the group is gone.
    killGroup(child, "SIGKILL");
    log.end();
  };
  const kill = async () => {
    unregister();
    killGroup(child, "SIGKILL");
    await exited;
    log.end();
  };
  const unregister = onCleanup(stop, () => killGroup(child, "SIGKILL"));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${url}${spec.readyPath}`, child, 90_000, () => out.text);
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = child.pid ?? 0;
  return { name: spec.name, url, persistDir, configPath, logFile, pid, output: () => out.text, stop, kill };
}

/** Runs SQL on a dev Worker's local D1 (read-only use: counts and diagnostics). */
export async function queryLocalD1(worker: DevWorker, sql: string): Promise<Record<string, unknown>[]> {
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      worker.persistDir,
      "-c",
      worker.configPath,
      "--json",
      "--command",
      sql,
    ],
    { cwd: ROOT, env: wranglerEnv, stdio: "pipe" },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  if (code !== 0) throw new Error(`wrangler d1 execute failed: ${(stderr || stdout).slice(-1000)}`);
  const parsed = JSON.parse(stdout) as { results: Record<string, unknown>[] }[];
  return parsed.flatMap((p) => p.results);
}
