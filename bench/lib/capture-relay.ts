import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type DevWorker, ROOT, startDevWorker } from "./wrangler.ts";

/**
 * Starts the relay with a capturing stand-in stream (bench/capture-worker) under `wrangler dev`: a copy of
 * wrangler.toml whose `main` is the capture worker, paths made absolute.
 */
export async function startCaptureRelay(workDir: string, pushToken: string): Promise<DevWorker> {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const config = toml
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(ROOT, "bench/capture-worker/index.ts"))}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`)
    .replace(/^directory = "\.\/public"$/m, `directory = ${JSON.stringify(join(ROOT, "public"))}`);
  if (!config.includes("bench/capture-worker")) throw new Error("wrangler.toml has no main = line to replace");
  const configPath = join(workDir, "wrangler.capture.toml");
  await writeFile(configPath, config);
  return startDevWorker(
    {
      name: "capture",
      config: configPath,
      vars: { PUSH_TOKEN: pushToken, ADMIN_TOKEN: pushToken },
      readyPath: "/health",
    },
    workDir,
  );
}

/** The rows captured since the last call, as NDJSON, and the D1 round trips counted meanwhile. */
export async function drainCapture(relay: DevWorker): Promise<{ ndjson: string; rows: number; roundTrips: number }> {
  const res = await fetch(`${relay.url}/__capture`);
  const ndjson = await res.text();
  const rows = ndjson === "" ? 0 : ndjson.split("\n").length - 1;
  return { ndjson, rows, roundTrips: Number(res.headers.get("x-d1-round-trips")) };
}
