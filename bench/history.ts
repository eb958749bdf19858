#!/usr/bin/env node
// `npm run bench:history`: what streaming every stored call to Basin costs.
// 1. Through the stand-in: the relay under `wrangler dev` with a capturing stand-in for CALLS_STREAM
//    (bench/capture-worker) takes --calls calls (default 1,000,000) in 1,000-record pushes; every row captured is
//    appended to an NDJSON file. D1 round trips per push are counted with the stream and without it (the floor).
// 2. Parquet: DuckDB writes the captured rows as Parquet (zstd, as Basin's sink writes by default): bytes per call,
//    against D1's bytes per call.
// 3. CPU, in-process: reading a push (the floor: parsePushBody) against building and checking its rows and
//    serializing them as send() does (V8's ValueSerializer, which the binding's RPC uses): the extra µs per call
//    (goal ≤ 5).
// Options: --calls <n>, --quick (100,000 calls), --keep (keep the temp directory), --cpu-only (part 3 alone).
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { serialize } from "node:v8";
import { DuckDBInstance } from "@duckdb/node-api";
import { build } from "esbuild";
import { drainCapture, startCaptureRelay } from "./lib/capture-relay.ts";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { loadCallRows } from "./lib/duckdb-calls.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { pushBody, recordFactory } from "./lib/records.ts";
import { fmt, median, ratio } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { ROOT } from "./lib/wrangler.ts";

const TOKEN = "bench-history-token-0123456789abcdef";
const TARGET_US_PER_CALL = 5;
/** D1's bytes per stored call: bench:storage on this tree (README, Storage); issue 21 quotes 437. */
const D1_BYTES_PER_CALL = 494.5;
const D1_BYTES_ISSUE = 437;
const BATCH = 1000;
const CONCURRENCY = 4;
const ROUND_TRIP_PUSHES = 100;

const { values: flags } = parseArgs({
  options: {
    calls: { type: "string" },
    quick: { type: "boolean" },
    keep: { type: "boolean" },
    "cpu-only": { type: "boolean" },
  },
});
const total = Number(flags.calls ?? (flags.quick ? 100_000 : 1_000_000));
const log = (line: string) => console.error(line);

type Code = {
  parsePushBody: typeof import("../src/pipeline/ingest/ingest.ts").parsePushBody;
  pushRows: typeof import("../src/model/history/row.ts").pushRows;
};

async function loadCode(workDir: string): Promise<Code> {
  const src = (path: string) => JSON.stringify(join(ROOT, "src", path));
  const result = await build({
    stdin: {
      contents: `export { parsePushBody } from ${src("pipeline/ingest/ingest.ts")};\nexport { pushRows } from ${src("model/history/row.ts")};`,
      resolveDir: ROOT,
      sourcefile: "bench-history-entry.ts",
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    write: false,
    logLevel: "silent",
  });
  const file = join(workDir, "history-code.mjs");
  await writeFile(file, result.outputFiles[0]?.text ?? "");
  return (await import(pathToFileURL(file).href)) as Code;
}

function bodies(count: number, seed: number): string[] {
  const next = recordFactory({ seed, tag: `h${seed}` });
  return Array.from({ length: count }, () => pushBody(Array.from({ length: BATCH }, () => next())));
}

async function throughStandIn(workDir: string, ndjsonFile: string) {
  log(`Through the stand-in: starting the relay (wrangler dev) with a capturing stream…`);
  const relay = await startCaptureRelay(workDir, TOKEN);
  onCleanup(() => relay.stop());
  const post = async (body: string, stream: boolean) => {
    const res = await fetch(`${relay.url}/push/${TOKEN}`, {
      method: "POST",
      headers: stream ? {} : { "x-stream": "off" },
      body,
    });
    if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  // D1 round trips per push, one push at a time so each one's waitUntil work is in its count: floor, then stream.
  const roundTrips: Record<string, number> = {};
  const small = bodies(ROUND_TRIP_PUSHES * 2, 3); // 1,000-record pushes
  for (const [name, stream] of [
    ["without stream (floor)", false],
    ["with stream", true],
  ] as const) {
    await drainCapture(relay);
    const list = stream ? small.slice(ROUND_TRIP_PUSHES) : small.slice(0, ROUND_TRIP_PUSHES);
    for (const body of list) await post(body, stream);
    await new Promise((r) => setTimeout(r, 1500)); // the last confirmations' flush
    roundTrips[name] = (await drainCapture(relay)).roundTrips / list.length;
  }
  // The volume: `total` calls, CONCURRENCY pushes in flight, rows drained into the NDJSON file as they come.
  const out = createWriteStream(ndjsonFile);
  let captured = 0;
  const drain = async () => {
    const { ndjson, rows } = await drainCapture(relay);
    captured += rows;
    if (ndjson !== "") out.write(ndjson);
  };
  const pushes = Math.ceil(total / BATCH);
  const next = recordFactory({ seed: 5, tag: "hvol" });
  let sent = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (sent < pushes) {
      sent += 1;
      await post(pushBody(Array.from({ length: BATCH }, () => next())), true);
      if (sent % 20 === 0) {
        await drain();
        if (sent % 100 === 0)
          log(
            `  ${(sent * BATCH).toLocaleString("en-US")} calls pushed, ${captured.toLocaleString("en-US")} rows captured`,
          );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  for (let tries = 0; tries < 100 && captured < pushes * BATCH; tries++) {
    await drain();
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((done) => out.end(done));
  await relay.stop();
  return { roundTrips, captured, pushed: pushes * BATCH, seconds };
}

async function parquet(ndjsonFile: string, workDir: string, rows: number) {
  const file = join(workDir, "calls.parquet");
  const db = await (await DuckDBInstance.create(":memory:")).connect();
  await loadCallRows(db, "calls", ndjsonFile);
  await db.run(`COPY calls TO '${file}' (FORMAT parquet, COMPRESSION zstd)`);
  const bytes = (await stat(file)).size;
  const ndjsonBytes = (await stat(ndjsonFile)).size;
  return { bytes, perCall: bytes / rows, ndjsonPerCall: ndjsonBytes / rows };
}

function cpu(code: Code) {
  const list = bodies(Math.max(1, Math.round(Math.min(total, 200_000) / BATCH)), 9);
  const calls = list.length * BATCH;
  const parsed = list.map((b) => code.parsePushBody(b, "src_default", Date.now()).calls);
  const time = (work: () => void) => {
    work(); // warm-up
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c0 = process.cpuUsage();
      work();
      const c = process.cpuUsage(c0);
      runs.push((c.user + c.system) / calls);
    }
    return median(runs);
  };
  const floor = time(() => {
    for (const b of list) code.parsePushBody(b, "src_default", 1);
  });
  const rows = time(() => {
    for (const p of parsed) code.pushRows(p, "psh_x");
  });
  const rowsJson = time(() => {
    for (const p of parsed) serialize(code.pushRows(p, "psh_x").rows);
  });
  return { calls, floor, rows, rowsJson };
}

async function main() {
  log(machineSummary());
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-history-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const ndjsonFile = join(workDir, "captured.ndjson");
  const loadStart = loadNow();
  if (flags["cpu-only"]) {
    const c = cpu(await loadCode(workDir));
    console.log(`CPU µs per call: floor ${fmt(c.floor)}, rows ${fmt(c.rows)}, rows + serialize ${fmt(c.rowsJson)}`);
    return;
  }
  const code = await loadCode(workDir); // bundled first: the run takes long, and the tree may change meanwhile
  const stand = await throughStandIn(workDir, ndjsonFile);
  log(`  ${JSON.stringify(stand)}`);
  log("Parquet: DuckDB writes the captured rows…");
  const pq = await parquet(ndjsonFile, workDir, stand.captured);
  log(`  ${JSON.stringify(pq)}`);
  log("CPU: building and checking rows in-process…");
  const c = cpu(code);
  const extra = c.rowsJson;
  const lines = [
    `bench:history, ${new Date().toISOString().slice(0, 10)}; load average at start ${loadStart}, at end ${loadNow()}`,
    "",
    markdownTable(
      ["through the stand-in", "figure"],
      [
        ["calls pushed (1,000 a push, 4 in flight)", stand.pushed.toLocaleString("en-US")],
        [
          "rows captured",
          `${stand.captured.toLocaleString("en-US")} ${stand.captured >= stand.pushed ? "✓ every call" : "✗ missing rows"}`,
        ],
        ["wall time", `${fmt(stand.seconds)} s (${fmt(stand.pushed / stand.seconds)} calls/s)`],
        ...Object.entries(stand.roundTrips).map(([k, v]) => [`D1 round trips per push, ${k}`, fmt(v)]),
        [
          "extra D1 round trips per push",
          `${fmt((stand.roundTrips["with stream"] ?? 0) - (stand.roundTrips["without stream (floor)"] ?? 0))} (goal: none)`,
        ],
      ],
    ),
    "",
    markdownTable(
      ["storage", "bytes per call"],
      [
        [
          "Parquet (DuckDB, zstd) of the captured rows",
          `${fmt(pq.perCall)} (${ratio(pq.perCall, D1_BYTES_PER_CALL)} D1's ${D1_BYTES_PER_CALL}; ${ratio(pq.perCall, D1_BYTES_ISSUE)} the issue's ${D1_BYTES_ISSUE})`,
        ],
        ["NDJSON as sent", fmt(pq.ndjsonPerCall)],
      ],
    ),
    "",
    markdownTable(
      ["CPU per call (process CPU, median of 5)", "µs", "vs floor"],
      [
        ["floor: read the push (parsePushBody)", fmt(c.floor), "1×"],
        ["rows built and checked against the schema", fmt(c.rows), ratio(c.rows, c.floor)],
        [
          "rows built, checked and serialized (V8's serializer, as send() does over RPC): the extra",
          `${fmt(extra)} ${extra <= TARGET_US_PER_CALL ? "✓" : "✗ over"} (goal ≤ ${TARGET_US_PER_CALL})`,
          ratio(extra, c.floor),
        ],
      ],
    ),
    "",
    `CPU measured over ${c.calls.toLocaleString("en-US")} calls in-process; Parquet over the ${stand.captured.toLocaleString("en-US")} captured rows.`,
  ];
  console.log(lines.join("\n"));
}

try {
  await main();
} finally {
  await runCleanup();
}
