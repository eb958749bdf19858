import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type DevWorker, ROOT, startDevWorker } from "./wrangler.ts";

/**
 * The stand-in streams behind real service bindings to the capture worker's own entrypoints, so `send()` crosses
 * workerd's RPC (the rows serialized, then deserialized) as a Basin binding's does.
 */
const standInBindings = (worker: string) =>
  [
    ["CAPTURE_STREAM", "CaptureStream"],
    ["COUNT_STREAM", "CountStream"],
  ]
    .map(
      ([binding, entrypoint]) =>
        `\n[[services]]\nbinding = "${binding}"\nservice = "${worker}"\nentrypoint = "${entrypoint}"\n`,
    )
    .join("");

/**
 * Starts the relay with a capturing stand-in stream (bench/capture-worker) under `wrangler dev`: a copy of
 * wrangler.toml whose `main` is the capture worker, paths made absolute, plus the stand-ins' service bindings.
 */
export async function startCaptureRelay(workDir: string, pushToken: string): Promise<DevWorker> {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const config = toml
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(ROOT, "bench/capture-worker/index.ts"))}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`)
    .replace(/^directory = "\.\/public"$/m, `directory = ${JSON.stringify(join(ROOT, "public"))}`);
  if (!config.includes("bench/capture-worker")) throw new Error("wrangler.toml has no main = line to replace");
  const name = /^name = "([^"]+)"$/m.exec(config)?.[1];
  if (!name) throw new Error("wrangler.toml has no name = line");
  const configPath = join(workDir, "wrangler.capture.toml");
  // Top-level tables go before the first [section] header; appended at the end they would land inside it.
  const firstTable = config.search(/^\[/m);
  await writeFile(configPath, `${config.slice(0, firstTable)}${standInBindings(name)}\n${config.slice(firstTable)}`);
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

/** What the capture worker gathered since the last call. */
export interface Capture {
  /** The rows captured, as NDJSON. */
  ndjson: string;
  rows: number;
  /** The rows the counting stand-in was sent. */
  counted: number;
  /** D1 round trips, in all and by kind. */
  roundTrips: number;
  kinds: Record<string, number>;
}

/** The rows captured since the last call, as NDJSON, and the D1 round trips counted meanwhile. */
export async function drainCapture(relay: DevWorker): Promise<Capture> {
  const res = await fetch(`${relay.url}/__capture`);
  const ndjson = await res.text();
  const rows = ndjson === "" ? 0 : ndjson.split("\n").length - 1;
  return {
    ndjson,
    rows,
    counted: Number(res.headers.get("x-rows-counted")),
    roundTrips: Number(res.headers.get("x-d1-round-trips")),
    kinds: JSON.parse(res.headers.get("x-d1-round-trip-kinds") ?? "{}"),
  };
}
