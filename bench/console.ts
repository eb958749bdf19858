#!/usr/bin/env node
// `npm run bench:console`: every console page's time at 10,000 calls (3,000 deliveries) and at 100,000 calls (30,000
// deliveries), pushed through the push API in pushes of 1,000 with a webhook destination matching 30% of them at a
// local receiver. Every page in rounds (2 warm-up rounds, then 5 measured; one request per page per round, so a
// burst of the machine's other work falls on all pages alike): the median of 5, as the round trip from this
// process and as the Worker's own `Server-Timing` (hono/timing: the console middleware to the answer). Floors in the
// same run: GET /health (one small D1 read) for the round trip, the new-destination form (the session's one D1
// read) for server time. Goals (issue 19), on server time: ≤ 50 ms at 100k, and 100k within 1.5× of 10k.
// Options: --calls <n> (default 100000; the first measurement is at a tenth), --keep (keep the temp directory).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { pushBatches } from "./lib/load.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { seededRandom } from "./lib/random.ts";
import { startReceiver } from "./lib/receiver.ts";
import { type PlatformRecord, recordFactory } from "./lib/records.ts";
import { fmt, median } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { type DevWorker, queryLocalD1, startDevWorker } from "./lib/wrangler.ts";

const PUSH_TOKEN = "bench-token";
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
const BATCH = 1000;
const IN_FLIGHT = 4;
const WARMUPS = 2;
const RUNS = 5;
const GOAL_MS = 50;
const GOAL_RATIO = 1.5;
const TASKS = 40;
/** The destination's filter: connected calls with intent 302 or 303, about 30% of the generated calls. */
const FILTER = { connected: true, intentCode: { $in: ["302", "303"] } };

const { values: flags } = parseArgs({ options: { calls: { type: "string" }, keep: { type: "boolean" } } });
const total = Number(flags.calls ?? 100_000);
const log = (line: string) => console.error(line);
// The calls of both sizes span the same hours (the last `total` seconds): the first tenth 10 s apart, the rest in
// between, so a page reading hourly rollups reads as many hours at 10k as at 100k, and only the volume differs.
const span = total * 1000;
const start = Date.now() - span - 60_000;
const factories = [
  recordFactory({ seed: 19, tag: "100000", base: start, spacingMs: 10_000 }),
  recordFactory({ seed: 23, tag: "200000", base: start + 5_000, spacingMs: span / (total - total / 10) }),
];
let nextRecord = factories[0] as () => PlatformRecord;
const random = seededRandom(7);
let pushed = 0;
let matching: PlatformRecord | undefined;

function record(): PlatformRecord {
  const r: PlatformRecord = { ...nextRecord(), taskId: 5_000_000 + random.int(0, TASKS - 1) };
  if (!matching && r.callStatusNew === 1 && (r.intentCode === "302" || r.intentCode === "303")) matching = r;
  return r;
}

async function pushUntil(worker: DevWorker, target: number) {
  const result = await pushBatches({
    url: `${worker.url}/push/${PUSH_TOKEN}`,
    pushes: Math.ceil((target - pushed) / BATCH),
    batch: BATCH,
    inFlight: IN_FLIGHT,
    next: record,
  });
  pushed += result.records;
  log(`  ${pushed.toLocaleString("en-US")} calls stored (${fmt(result.recordsPerSecond)} rec/s)`);
}

/** Waits until no delivery is pending or retrying; answers how many deliveries there are. */
async function settled(worker: DevWorker): Promise<number> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    // The local database is busy while the consumer writes: ask again a little later.
    const [row] = await queryLocalD1(
      worker,
      "SELECT count(*) AS n, sum(status IN ('pending', 'retrying')) AS open FROM deliveries",
    ).catch((err: Error) => {
      if (!err.message.includes("SQLITE_BUSY")) throw err;
      return [{ n: 0, open: -1 }];
    });
    const open = Number(row?.open ?? 0);
    if (open === 0) return Number(row?.n ?? 0);
    if (Date.now() > deadline) throw new Error(`${open} deliveries still open after 30 minutes`);
    log(open < 0 ? "  the database is busy…" : `  ${open.toLocaleString("en-US")} deliveries still open…`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

async function api<T>(worker: DevWorker, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${worker.url}/api/v1${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json() as Promise<T>;
}

async function signIn(worker: DevWorker): Promise<string> {
  const res = await fetch(`${worker.url}/sign-in`, {
    method: "POST",
    headers: { origin: worker.url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: ADMIN_TOKEN, next: "/" }).toString(),
    redirect: "manual",
  });
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("callrelay_session="))
    ?.split(";")[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in answered HTTP ${res.status}`);
  return cookie;
}

interface Page {
  name: string;
  path: string;
  /** A live refresh (`x-live: 1`): the page's live parts only. */
  live?: boolean;
}

interface Timing {
  roundTrip: number;
  /** Median of the samples. */
  server: number;
  /** The least of the samples: the page's own cost with the least of the machine's other work in it. */
  serverMin: number;
}

/** One request for `page`: its round trip and the Worker's Server-Timing total, checked to be the page. */
async function once(worker: DevWorker, cookie: string, page: Page): Promise<Timing> {
  const t0 = performance.now();
  const res = await fetch(`${worker.url}${page.path}`, {
    headers: { cookie, ...(page.live ? { "x-live": "1" } : {}) },
    redirect: "manual",
  });
  const body = await res.text();
  const roundTrip = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${page.path}: HTTP ${res.status} ${body.slice(0, 300)}`);
  const expected = page.live ? "data-live=" : page.path === "/health" ? '"ok"' : "<h1>";
  if (!body.includes(expected)) throw new Error(`${page.path}: no ${expected} in ${body.slice(0, 300)}`);
  const server = Number(/total;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? Number.NaN);
  return { roundTrip, server, serverMin: server };
}

async function pages(worker: DevWorker): Promise<Page[]> {
  if (!matching) throw new Error("no matching call was generated");
  const { data: dests } = await api<{ data: { id: string }[] }>(worker, "/destinations");
  const { data: pushes } = await api<{ data: { id: string }[] }>(worker, "/pushes?limit=1");
  const destination = dests[0]?.id ?? "";
  const digits = String(matching.callee).slice(-6);
  const tail = await fetch(`${worker.url}/tail`, { headers: { cookie: await signIn(worker) } }).then((r) => r.text());
  const after = /data-live-src="(\/tail\?after=[\w-]+)"/.exec(tail)?.[1] ?? "/tail";
  return [
    { name: "floor: GET /health (one D1 read)", path: "/health" },
    { name: "floor of a console page: a form (the session's one D1 read)", path: "/destinations/new?type=webhook" },
    { name: "overview", path: "/" },
    { name: "overview, live refresh", path: "/", live: true },
    { name: "calls", path: "/calls" },
    { name: "calls by phone (last 6 digits)", path: `/calls?phone=${digits}` },
    { name: "calls by task, connected", path: `/calls?taskId=${matching.taskId}&connected=yes` },
    { name: "calls by intent codes matching none", path: "/calls?intentCode=998,999" },
    {
      name: "a call (grouped, deliveries, explain, record as received)",
      path: `/calls/src_default/${matching.voiceId}`,
    },
    { name: "campaigns (7 days)", path: "/campaigns" },
    { name: "destinations (health)", path: "/destinations" },
    { name: "a destination (24 h)", path: `/destinations/${destination}` },
    { name: "a destination (30 d)", path: `/destinations/${destination}?range=30d` },
    { name: "a destination, live refresh", path: `/destinations/${destination}`, live: true },
    { name: "deliveries", path: "/deliveries" },
    { name: "deliveries, live refresh", path: "/deliveries", live: true },
    { name: "deliveries: delivered, one destination", path: `/deliveries?status=delivered&destination=${destination}` },
    { name: "deliveries: failed (none)", path: "/deliveries?status=failed" },
    { name: "deliveries by phone", path: `/deliveries?phone=${digits}` },
    { name: "bulk retry count (everything)", path: "/deliveries/retry" },
    { name: "sources", path: "/sources" },
    { name: "pushes", path: "/pushes" },
    { name: "a push", path: `/pushes/${pushes[0]?.id ?? ""}` },
    { name: "audit", path: "/audit" },
    { name: "tail", path: "/tail" },
    { name: "tail, live refresh (nothing new)", path: after, live: true },
  ];
}

/**
 * Every page, in rounds: each round asks each page once, so a burst of load from the machine's other work falls on
 * all pages alike rather than on one page's samples. {@link WARMUPS} rounds, then {@link RUNS} measured.
 */
async function timings(worker: DevWorker): Promise<{ page: Page; timing: Timing }[]> {
  const cookie = await signIn(worker);
  const list = await pages(worker);
  const samples = list.map(() => [] as Timing[]);
  for (let round = 0; round < WARMUPS + RUNS; round++) {
    for (const [i, page] of list.entries()) {
      const sample = await once(worker, cookie, page);
      if (round >= WARMUPS) samples[i]?.push(sample);
    }
  }
  return list.map((page, i) => {
    const mine = samples[i] ?? [];
    const server = mine.map((s) => s.server);
    return {
      page,
      timing: {
        roundTrip: median(mine.map((s) => s.roundTrip)),
        server: median(server),
        serverMin: Math.min(...server),
      },
    };
  });
}

async function main() {
  const started = Date.now();
  const loadAtStart = loadNow();
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-console-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const receiver = await startReceiver();
  onCleanup(() => receiver.close());
  log("Starting callrelay under wrangler dev --local…");
  const worker = await startDevWorker(
    {
      name: "callrelay",
      config: "wrangler.toml",
      vars: { PUSH_TOKEN, ADMIN_TOKEN, ALLOW_HTTP_DESTINATIONS: "1" },
      readyPath: "/health",
    },
    workDir,
  );
  await api(worker, "/destinations", {
    name: "bench",
    type: "webhook",
    config: { url: `${receiver.url}/hook/bench` },
    filter: FILTER,
  });
  const small = Math.round(total / 10);
  /** Pushes up to `size` calls, waits for their deliveries, times every page. */
  const measureAt = async (size: number) => {
    log(`Pushing up to ${size.toLocaleString("en-US")} calls (${BATCH} per push, ${IN_FLIGHT} in flight)…`);
    await pushUntil(worker, size);
    const delivered = await settled(worker);
    const load = loadNow();
    log(
      `Timing every page at ${pushed.toLocaleString("en-US")} calls, ${delivered.toLocaleString("en-US")} deliveries…`,
    );
    return { deliveries: delivered, load, pages: await timings(worker) };
  };
  const { deliveries: deliveriesSmall, load: loadSmall, pages: atSmall } = await measureAt(small);
  nextRecord = factories[1] as () => PlatformRecord;
  const { deliveries: deliveriesLarge, load: loadLarge, pages: atLarge } = await measureAt(total);
  await worker.stop();

  const floorSmall = atSmall[0]?.timing.roundTrip ?? Number.NaN;
  const floorLarge = atLarge[0]?.timing.roundTrip ?? Number.NaN;
  const consoleFloor = atLarge[1]?.timing.server ?? Number.NaN;
  let worst = 0;
  let worstRatio = 0;
  const rows = atLarge.map(({ page, timing: large }, i) => {
    const smallT = atSmall[i]?.timing as Timing;
    const isFloor = i <= 1;
    const ratio = large.server / smallT.server;
    if (i > 0) {
      worst = Math.max(worst, large.server);
      if (!isFloor) worstRatio = Math.max(worstRatio, ratio);
    }
    return [
      page.name,
      `\`${page.path.length > 48 ? `${page.path.slice(0, 45)}…` : page.path}\``,
      fmt(smallT.roundTrip),
      i === 0 ? "—" : fmt(smallT.server),
      fmt(large.roundTrip),
      i === 0 ? "—" : `${fmt(large.server)} (${fmt(large.serverMin)})`,
      i === 0 ? "—" : `${fmt(large.server / consoleFloor, 2)}×`,
      isFloor ? "—" : `${fmt(ratio, 2)}× ${ratio <= GOAL_RATIO ? "✓" : "✗"}`,
      i === 0 ? "—" : large.server <= GOAL_MS ? "✓" : "✗",
    ];
  });
  const k = (n: number) => `${Math.round(n / 1000)}k`;
  console.log(
    [
      `## bench:console — ${new Date().toISOString()}`,
      "",
      `Machine: ${machineSummary()}; load ${loadAtStart} at the start, ${loadSmall} before timing at ${k(small)}, ${loadLarge} before timing at ${k(pushed)}, ${loadNow()} at the end.`,
      `${pushed.toLocaleString("en-US")} varied calls (bench/lib/records.ts, ${TASKS} tasks, over the last ${fmt(span / 3_600_000)} hours at both sizes) in pushes of ${BATCH}, ${IN_FLIGHT} in flight; one webhook destination (filter ${JSON.stringify(FILTER)}) at a local receiver answering 200: ${deliveriesSmall.toLocaleString("en-US")} deliveries at ${k(small)}, ${deliveriesLarge.toLocaleString("en-US")} at ${k(pushed)}, all settled before timing.`,
      `Each page: signed in, ${WARMUPS} warm-up rounds then ${RUNS} measured rounds over every page in turn (one request per page per round), the median of its ${RUNS} (and the least, in brackets). "round trip": from this process, wrangler's local proxy included; "server": the Worker's Server-Timing (total, from the console's first middleware to its answer).`,
      "",
      markdownTable(
        [
          "page",
          "path",
          `round trip @${k(small)} (ms)`,
          `server @${k(small)}`,
          `round trip @${k(pushed)} (ms)`,
          `server @${k(pushed)} (least)`,
          `server vs console floor @${k(pushed)}`,
          `server @${k(pushed)} / @${k(small)} (goal ≤ ${GOAL_RATIO}×)`,
          `server ≤ ${GOAL_MS} ms @${k(pushed)}`,
        ],
        rows,
      ),
      "",
      `Round-trip floor (GET /health): ${fmt(floorSmall)} ms at ${k(small)}, ${fmt(floorLarge)} ms at ${k(pushed)}; server-time floor (the form): ${fmt(consoleFloor)} ms at ${k(pushed)}. Slowest page at ${k(pushed)}: ${fmt(worst)} ms server time (goal ≤ ${GOAL_MS} ms ${worst <= GOAL_MS ? "✓" : "✗"}); largest ${k(pushed)}/${k(small)} ratio of server time ${fmt(worstRatio, 2)}× (goal ≤ ${GOAL_RATIO}× ${worstRatio <= GOAL_RATIO ? "✓" : "✗"}).`,
      "",
      `Total bench time: ${fmt((Date.now() - started) / 1000)} s${flags.keep ? ` (kept ${workDir})` : ""}`,
    ].join("\n"),
  );
}

try {
  await main();
} catch (err) {
  console.error(`\nbench:console failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
