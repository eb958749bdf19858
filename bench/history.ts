#!/usr/bin/env node
// `npm run bench:history`: what streaming every stored call to Basin costs.
// 1. Through the stand-in: the relay under `wrangler dev` with a capturing stand-in for CALLS_STREAM behind a real
//    service binding (bench/capture-worker), so send() crosses workerd's RPC as a Basin binding's does.
//    a. D1 round trips per push, by statement kind, without the stream (the floor) and with it, one push at a time.
//    b. CPU in workerd: the workerd processes' CPU time for pushes without the stream and with it (the stand-in only
//       counting the rows), alternating blocks: the extra µs per call, serialization and RPC included.
//    c. The volume: --calls calls (default 1,000,000) in 1,000-record pushes; every row captured is appended to an
//       NDJSON file.
// 2. Parquet: DuckDB writes the captured rows as Parquet (zstd, as Basin's sink writes by default): bytes per call,
//    against D1's bytes per call.
// 3. CPU, in-process: reading a push (the floor: parsePushBody) against building and checking its rows and
//    serializing them with V8's serializer (what the binding's RPC does), for the figures without workerd around them.
// Goals: extra CPU per call ≤ 5 µs; no extra D1 round trip per push.
// Options: --calls <n>, --quick (100,000 calls), --keep (keep the temp directory), --cpu-only (part 3 alone).
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deserialize, serialize } from "node:v8";
import { DuckDBInstance } from "@duckdb/node-api";
import { type Capture, drainCapture, startCaptureRelay } from "./lib/capture-relay.ts";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { loadCallRows } from "./lib/duckdb-calls.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { bundleForNode } from "./lib/parse-cpu.ts";
import { workerdCpuMs } from "./lib/proc-cpu.ts";
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
/** The stream confirmations' quiet wait (src/storage/calls-stream.ts, confirmTiming.delayMs) and a margin. */
const FLUSH_WAIT_MS = 15_000 + 3_000;
/** CPU in workerd: rounds of one block of pushes without the stream and one with it, each block this many pushes. */
const CPU_ROUNDS = 10;
const CPU_BLOCK = 10;

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
  const entry = `export { parsePushBody } from ${src("pipeline/ingest/ingest.ts")};\nexport { pushRows } from ${src("model/history/row.ts")};`;
  return bundleForNode<Code>(entry, ROOT, join(workDir, "history-code.mjs"));
}

function bodies(count: number, seed: number): string[] {
  const next = recordFactory({ seed, tag: `h${seed}` });
  return Array.from({ length: count }, () => pushBody(Array.from({ length: BATCH }, () => next())));
}

type Mode = "off" | "on" | "count";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function throughStandIn(workDir: string, ndjsonFile: string) {
  log(`Through the stand-in: starting the relay (wrangler dev) with a capturing stream behind a service binding…`);
  const relay = await startCaptureRelay(workDir, TOKEN);
  onCleanup(() => relay.stop());
  const post = async (body: string, mode: Mode) => {
    const res = await fetch(`${relay.url}/push/${TOKEN}`, {
      method: "POST",
      headers: mode === "on" ? {} : { "x-stream": mode },
      body,
    });
    if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  // a. D1 round trips per push, one push at a time so each one's waitUntil work is in its count: floor, then stream,
  // each phase ending after the confirmations' quiet wait, so a flush after the last push is counted too.
  const roundTrips: Record<"floor" | "stream", Capture> = {} as Record<"floor" | "stream", Capture>;
  const small = bodies(ROUND_TRIP_PUSHES * 2, 3); // 1,000-record pushes
  for (const [name, mode] of [
    ["floor", "off"],
    ["stream", "on"],
  ] as const) {
    await drainCapture(relay);
    const list = mode === "on" ? small.slice(ROUND_TRIP_PUSHES) : small.slice(0, ROUND_TRIP_PUSHES);
    for (const body of list) await post(body, mode);
    await sleep(FLUSH_WAIT_MS);
    roundTrips[name] = await drainCapture(relay);
    log(`  round trips, ${name}: ${JSON.stringify(roundTrips[name].kinds)}`);
  }
  // b. CPU in workerd: alternating blocks without the stream and with it (the stand-in only counts the rows).
  const cpuBodies = bodies(CPU_ROUNDS * CPU_BLOCK * 2, 11);
  const cpuRuns: Record<"off" | "count", number[]> = { off: [], count: [] };
  await drainCapture(relay);
  for (let round = 0; round < CPU_ROUNDS; round++) {
    for (const mode of ["off", "count"] as const) {
      const block = cpuBodies.splice(0, CPU_BLOCK);
      const before = await workerdCpuMs(relay.pid);
      for (const body of block) await post(body, mode);
      await sleep(500); // the block's waitUntil work (the send) ends inside its own measure
      cpuRuns[mode].push((((await workerdCpuMs(relay.pid)) - before) * 1000) / (CPU_BLOCK * BATCH));
    }
  }
  const counted = (await drainCapture(relay)).counted;
  if (counted !== CPU_ROUNDS * CPU_BLOCK * BATCH) throw new Error(`the counting stand-in got ${counted} rows`);
  const extras = cpuRuns.count.map((us, i) => us - (cpuRuns.off[i] ?? 0));
  const workerd = { off: median(cpuRuns.off), count: median(cpuRuns.count), extra: median(extras), extras };
  log(`  CPU in workerd, µs per call: ${JSON.stringify(cpuRuns)}`);
  // c. The volume: `total` calls, CONCURRENCY pushes in flight, rows drained into the NDJSON file as they come.
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
      await post(pushBody(Array.from({ length: BATCH }, () => next())), "on");
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
    await sleep(200);
  }
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((done) => out.end(done));
  await relay.stop();
  return { roundTrips, workerd, captured, pushed: pushes * BATCH, seconds };
}

/** What a round trip of this kind is, for the table: the push's own batch, the gauge, the flush, or as counted. */
function tripKind(kind: string): string {
  if (kind.startsWith("batch:") && kind.includes("insert pushes")) return "the push's write batch";
  if (kind === "insert storage_usage") return "storage-size gauge (≤ 1 per 10 s per isolate, either way)";
  if (kind.startsWith("batch:") && kind.includes("update pushes"))
    return "stream confirmations' flush after a quiet spell";
  return kind;
}

/** Round trips per push by kind, without and with the stream. */
function roundTripRows(trips: Record<"floor" | "stream", Capture>): string[][] {
  const per = (c: Capture) => {
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(c.kinds)) out[tripKind(k)] = (out[tripKind(k)] ?? 0) + n / ROUND_TRIP_PUSHES;
    return out;
  };
  const floor = per(trips.floor);
  const stream = per(trips.stream);
  const kinds = [...new Set([...Object.keys(floor), ...Object.keys(stream)])].sort();
  return kinds.map((k) => [k, fmt(floor[k] ?? 0), fmt(stream[k] ?? 0), fmt((stream[k] ?? 0) - (floor[k] ?? 0))]);
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
  // The receiving side, which the workerd figure includes (the stand-in is in the same process) and production's
  // Worker does not pay: V8 deserializing the rows.
  const sent = parsed.map((p) => serialize(code.pushRows(p, "psh_x").rows));
  const received = time(() => {
    for (const b of sent) deserialize(b);
  });
  return { calls, floor, rows, rowsJson, received };
}

async function main() {
  log(machineSummary());
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-history-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const ndjsonFile = join(workDir, "captured.ndjson");
  const loadStart = loadNow();
  if (flags["cpu-only"]) {
    const c = cpu(await loadCode(workDir));
    console.log(
      `CPU µs per call: floor ${fmt(c.floor)}, rows ${fmt(c.rows)}, rows + serialize ${fmt(c.rowsJson)}, the callee's deserialize ${fmt(c.received)}`,
    );
    return;
  }
  const code = await loadCode(workDir); // bundled first: the run takes long, and the tree may change meanwhile
  const stand = await throughStandIn(workDir, ndjsonFile);
  log(`  ${JSON.stringify({ ...stand, roundTrips: undefined })}`);
  log("Parquet: DuckDB writes the captured rows…");
  const pq = await parquet(ndjsonFile, workDir, stand.captured);
  log(`  ${JSON.stringify(pq)}`);
  log("CPU: building and checking rows in-process…");
  const c = cpu(code);
  const trips = stand.roundTrips;
  const tripsPerPush = (t: Capture) => t.roundTrips / ROUND_TRIP_PUSHES;
  const gauge = (t: Capture) => (t.kinds["insert storage_usage"] ?? 0) / ROUND_TRIP_PUSHES;
  const extraTrips = tripsPerPush(trips.stream) - tripsPerPush(trips.floor);
  const streamTrips = extraTrips - (gauge(trips.stream) - gauge(trips.floor));
  const within = (us: number) => `${us <= TARGET_US_PER_CALL ? "✓" : "✗ over"} (goal ≤ ${TARGET_US_PER_CALL})`;
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
        ["D1 round trips per push, without stream (floor)", fmt(tripsPerPush(trips.floor))],
        ["D1 round trips per push, with stream", fmt(tripsPerPush(trips.stream))],
        ["extra D1 round trips per push, all", fmt(extraTrips)],
        [
          "extra D1 round trips per push, the stream's own (less the storage-size gauge's difference)",
          `${fmt(streamTrips)} (goal: none)`,
        ],
      ],
    ),
    "",
    markdownTable(
      [
        `D1 round trips per push by kind (${ROUND_TRIP_PUSHES} pushes, one at a time)`,
        "without stream",
        "with stream",
        "difference",
      ],
      roundTripRows(trips),
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
      [
        `CPU per call in workerd (its processes' CPU, median of ${CPU_ROUNDS} blocks of ${CPU_BLOCK} pushes)`,
        "µs",
        "vs floor",
      ],
      [
        ["floor: a push without the stream", fmt(stand.workerd.off), "1×"],
        [
          "a push with the stream (the stand-in behind a service binding, counting)",
          fmt(stand.workerd.count),
          ratio(stand.workerd.count, stand.workerd.off),
        ],
        [
          "the extra: rows built, checked, serialized, sent over RPC and deserialized by the stand-in",
          `${fmt(stand.workerd.extra)} ${within(stand.workerd.extra)}`,
          ratio(stand.workerd.extra, stand.workerd.off),
        ],
        ["each block's extra", stand.workerd.extras.map((us) => fmt(us)).join(", "), ""],
      ],
    ),
    "",
    markdownTable(
      ["CPU per call in-process (Node, process CPU, median of 5)", "µs", "vs floor"],
      [
        ["floor: read the push (parsePushBody)", fmt(c.floor), "1×"],
        ["rows built and checked against the schema", fmt(c.rows), ratio(c.rows, c.floor)],
        [
          "rows built, checked and serialized with V8's serializer (the sending side of send())",
          `${fmt(c.rowsJson)} ${within(c.rowsJson)}`,
          ratio(c.rowsJson, c.floor),
        ],
        [
          "the receiving side, V8 deserializing the rows (in the workerd figure; Basin's work in production)",
          fmt(c.received),
          ratio(c.received, c.floor),
        ],
      ],
    ),
    "",
    `CPU in-process over ${c.calls.toLocaleString("en-US")} calls; in workerd over ${(CPU_ROUNDS * CPU_BLOCK * BATCH).toLocaleString("en-US")} calls each way; Parquet over the ${stand.captured.toLocaleString("en-US")} captured rows.`,
  ];
  console.log(lines.join("\n"));
}

try {
  await main();
} finally {
  await runCleanup();
}
