#!/usr/bin/env node
// `npm run bench:cost`: what a day of callrelay costs on Cloudflare. Runs the Worker under `wrangler dev` with
// `COST_METER=1` (src/lib/cost-meter.ts counts D1 rows read/written from every query's meta, R2 operations, queue
// messages, Durable Object calls and invocations) and pushes a scaled day: cron runs, calls with no destination,
// calls of which 30% match one webhook and one Slack destination (100-record pushes), then retention sweeps that
// expire every call. Prints the usage per stored call, per delivery, per cron run and per expired call, and the
// monthly bill at 10k / 100k / 1M calls a day from Cloudflare's published prices (bench/lib/cost-model.ts).
// Options: --calls <n> (calls per phase, default 10000), --push-interval <ms> (between the forwarded phase's pushes,
// default 2000; 0 sends them all at once), --ref <commit>, --keep.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { type Day, type Keeping, type Measured, monthlyCost, type Usage } from "./lib/cost-model.ts";
import { storage } from "./lib/dbstat.ts";
import { postPush, runLoad } from "./lib/load.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { workerdCpuMs } from "./lib/proc-cpu.ts";
import { seededRandom } from "./lib/random.ts";
import { startReceiver } from "./lib/receiver.ts";
import { type PlatformRecord, pushBody, recordFactory } from "./lib/records.ts";
import { sourceTree } from "./lib/source-tree.ts";
import { fmt } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { type DevWorker, queryLocalD1, startDevWorker } from "./lib/wrangler.ts";

const PUSH_TOKEN = "bench-token";
const ADMIN_TOKEN = "bench-admin-token";
const PER_PUSH = 100;
/** Tasks of the campaign the calls belong to: an operation runs dozens at a time, not one per call. */
const TASKS = 40;
const IN_FLIGHT = 4;
const CRON_RUNS = 10;
const GOAL_PER_CALL = 4;
const GOAL_PER_DELIVERY = 6;
/** The destinations' filter: connected calls with intent 302 or 303, 30% of the generated calls. */
const FILTER = { connected: true, intentCode: { $in: ["302", "303"] } };
const matches = (r: PlatformRecord) => r.intentCode === "302" || r.intentCode === "303";

const { values: flags } = parseArgs({
  options: {
    calls: { type: "string" },
    "push-interval": { type: "string" },
    ref: { type: "string" },
    keep: { type: "boolean" },
  },
});
/**
 * Ms between the forwarded phase's pushes, one at a time: a day's pushes spread out, as the platform sends them, so
 * the Slack destination's pace (one message a second) is not a burst's backlog. 0: all at once, 4 in flight.
 */
const pushInterval = Number(flags["push-interval"] ?? 2000);
const perPhase = Math.max(PER_PUSH, Math.round(Number(flags.calls ?? 10_000) / PER_PUSH) * PER_PUSH);
const log = (line: string) => console.error(line);

/** What the Worker's meter answers (src/lib/cost-meter.ts). */
interface Counters {
  invocations: { fetch: number; queue: number; scheduled: number };
  d1: { queries: number; rowsRead: number; rowsWritten: number };
  r2: { classA: number; classB: number };
  queues: { sent: number; received: number };
  durableObjects: { calls: number };
}

/** A phase's usage: the meter's difference, plus the CPU time of the Worker's processes. */
interface Phase {
  counters: Counters;
  cpuMs: number;
  wallMs: number;
}

async function meter(worker: DevWorker): Promise<Counters> {
  const res = await fetch(`${worker.url}/__cost-meter`);
  if (!res.ok) throw new Error(`/__cost-meter: HTTP ${res.status} (is COST_METER set and the meter in this tree?)`);
  return (await res.json()) as Counters;
}

function minus(a: Counters, b: Counters): Counters {
  const sub = <T extends Record<string, number>>(x: T, y: T) =>
    Object.fromEntries(Object.keys(x).map((k) => [k, (x[k] ?? 0) - (y[k] ?? 0)])) as T;
  return {
    invocations: sub(a.invocations, b.invocations),
    d1: sub(a.d1, b.d1),
    r2: sub(a.r2, b.r2),
    queues: sub(a.queues, b.queues),
    durableObjects: sub(a.durableObjects, b.durableObjects),
  };
}

/** The voiceIds (21 digits, bench/lib/records.ts) the receiver's requests carried, by path prefix, read as they come. */
function arrivedVoiceIds(arrivals: readonly { path: string; body: string }[]) {
  const seen = new Map<string, Set<string>>();
  let read = 0;
  return (prefix: string, voiceId: string) => {
    for (; read < arrivals.length; read++) {
      const a = arrivals[read] as { path: string; body: string };
      const key = a.path.split("/")[1] ?? "";
      const ids = seen.get(key) ?? new Set<string>();
      for (const m of a.body.matchAll(/(?<!\d)\d{21}(?!\d)/g)) ids.add(m[0]);
      seen.set(key, ids);
    }
    return seen.get(prefix)?.has(voiceId) ?? false;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` and answers what the Worker used meanwhile (after a moment for `waitUntil` work to finish). */
async function phase(worker: DevWorker, work: () => Promise<void>): Promise<Phase> {
  await sleep(1000);
  const before = await meter(worker);
  const cpuBefore = await workerdCpuMs(worker.pid);
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  await sleep(1500);
  const after = await meter(worker);
  return { counters: minus(after, before), cpuMs: (await workerdCpuMs(worker.pid)) - cpuBefore, wallMs };
}

/** Usage per unit of a phase (queue operations: each message written and deleted once, read at every delivery). */
function per(p: Phase, units: number): Usage {
  const c = p.counters;
  return {
    requests: (c.invocations.fetch + c.invocations.queue + c.invocations.scheduled) / units,
    cpuMs: p.cpuMs / units,
    d1RowsRead: c.d1.rowsRead / units,
    d1RowsWritten: c.d1.rowsWritten / units,
    r2ClassA: c.r2.classA / units,
    r2ClassB: c.r2.classB / units,
    queueOps: (2 * c.queues.sent + c.queues.received) / units,
    durableObjectRequests: c.durableObjects.calls / units,
  };
}

function lessUsage(a: Usage, b: Usage, times: number): Usage {
  return Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, v - (b[k as keyof Usage] ?? 0) * times]),
  ) as unknown as Usage;
}

async function pushCalls(worker: DevWorker, next: () => PlatformRecord, count: number, intervalMs = 0) {
  const bodies: string[] = [];
  const voiceIds: string[] = [];
  let matching = 0;
  let gzipBytes = 0;
  for (let i = 0; i < count / PER_PUSH; i++) {
    const records = Array.from({ length: PER_PUSH }, next);
    const matched = records.filter(matches);
    matching += matched.length;
    voiceIds.push(...matched.map((r) => r.voiceId));
    const body = pushBody(records);
    gzipBytes += gzipSync(body).length;
    bodies.push(body);
  }
  const result = await runLoad({
    items: bodies,
    concurrency: intervalMs > 0 ? 1 : IN_FLIGHT,
    maxMs: 3_600_000,
    send: async (body) => {
      const paced = sleep(intervalMs);
      const outcome = await postPush(`${worker.url}/push/${PUSH_TOKEN}`, body, PER_PUSH);
      await paced;
      return outcome;
    },
  });
  if (result.failed > 0) throw new Error(`pushes failed: ${result.errors.join("; ")}`);
  return { matching, voiceIds, gzipBytes, recordsPerSecond: result.recordsPerSecond };
}

/** A count read from the local D1 beside the Worker (not metered); retried while the Worker holds the database. */
async function count(worker: DevWorker, sql: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return Number((await queryLocalD1(worker, sql))[0]?.n ?? 0);
    } catch (err) {
      if (attempt === 10 || !String(err).includes("SQLITE_BUSY")) throw err;
      await sleep(1000);
    }
  }
}

async function createDestination(worker: DevWorker, body: Record<string, unknown>) {
  const res = await fetch(`${worker.url}/api/v1/destinations`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ ...body, filter: FILTER }),
  });
  if (res.status !== 201) throw new Error(`create destination: HTTP ${res.status} ${await res.text()}`);
}

async function cron(worker: DevWorker, time: number) {
  const res = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`);
  await res.text();
  if (!res.ok) throw new Error(`scheduled: HTTP ${res.status}`);
}

async function main() {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-cost-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const tree = await sourceTree(flags.ref, workDir);
  const receiver = await startReceiver();
  onCleanup(() => receiver.close());
  log(`Starting callrelay (${tree.label}) under wrangler dev --local with COST_METER=1…`);
  const worker = await startDevWorker(
    {
      name: "callrelay",
      root: tree.root,
      config: "wrangler.toml",
      vars: { PUSH_TOKEN, ADMIN_TOKEN, ALLOW_HTTP_DESTINATIONS: "1", COST_METER: "1" },
      readyPath: "/health",
      devArgs: ["--test-scheduled"],
    },
    workDir,
  );
  const loadStart = loadNow();
  const nextRecord = recordFactory({ seed: 23 });
  const random = seededRandom(7);
  const next = () => ({ ...nextRecord(), taskId: 5_000_000 + random.int(0, TASKS - 1) });

  log(`Cron: ${CRON_RUNS} runs on an empty relay…`);
  const idle = await phase(worker, async () => {
    for (let i = 0; i < CRON_RUNS; i++) await cron(worker, Date.now());
  });

  log(
    `Storing ${perPhase.toLocaleString("en-US")} calls, no destinations (${PER_PUSH} per push, ${IN_FLIGHT} in flight)…`,
  );
  let stored!: Awaited<ReturnType<typeof pushCalls>>;
  const storing = await phase(worker, async () => {
    stored = await pushCalls(worker, next, perPhase);
  });

  await createDestination(worker, { name: "bench webhook", type: "webhook", config: { url: `${receiver.url}/hook` } });
  await createDestination(worker, {
    name: "bench slack",
    type: "slack",
    config: { url: `${receiver.url}/slack/T000/B000/XXXX` },
  });
  log(`Storing ${perPhase.toLocaleString("en-US")} more calls, 30% matching a webhook and a Slack destination…`);
  let forwarded!: Awaited<ReturnType<typeof pushCalls>>;
  const delivering = await phase(worker, async () => {
    forwarded = await pushCalls(worker, next, perPhase, pushInterval);
    // Done when every matching call has reached both receivers (Slack digests carry each call's voiceId). Polling the
    // local D1 from another process meanwhile would lock it under the Worker's feet.
    const deadline = Date.now() + 20 * 60_000;
    const hooked = arrivedVoiceIds(receiver.arrivals);
    for (;;) {
      const missing = forwarded.voiceIds.filter((v) => !hooked("hook", v) || !hooked("slack", v)).length;
      if (missing === 0) break;
      if (Date.now() > deadline) throw new Error(`${missing} matching calls not delivered to both after 20 minutes`);
      log(`  ${missing} of ${forwarded.matching} matching calls not yet at both receivers…`);
      await sleep(3000);
    }
  });
  const deliveries = await count(worker, "SELECT count(*) AS n FROM deliveries WHERE event_id IS NULL");
  const delivered = await count(worker, "SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'");
  const hooks = receiver.arrivals.filter((a) => a.path === "/hook").length;
  if (deliveries !== 2 * forwarded.matching) {
    throw new Error(
      `expected ${2 * forwarded.matching} deliveries (2 × ${forwarded.matching} matching), D1 has ${deliveries}`,
    );
  }

  const objects = await storage(worker);
  const calls = 2 * perPhase;
  const d1Bytes = objects.filter((o) => o.table !== "push_bodies").reduce((n, o) => n + o.bytes, 0);

  log("Retention: sweeps with every call expired…");
  let sweeps = 0;
  const expiring = await phase(worker, async () => {
    const later = Date.now() + 400 * 86_400_000;
    while ((await count(worker, "SELECT count(*) AS n FROM calls")) > 0) {
      await cron(worker, later);
      sweeps += 1;
      await sleep(500);
      if (sweeps > 200) throw new Error("calls left after 200 sweeps");
    }
  });
  await worker.stop();

  const perCron = per(idle, CRON_RUNS);
  const perCall = per(storing, perPhase);
  // The second phase stored as many calls as the first: what it used beyond them is the deliveries'.
  const perDelivery = lessUsage(per(delivering, deliveries), perCall, perPhase / deliveries);
  const perExpired = lessUsage(per(expiring, calls), perCron, sweeps / calls);

  const measured: Measured = {
    perCall,
    perDelivery,
    perCronRun: perCron,
    perExpiredCall: perExpired,
    d1BytesPerCall: d1Bytes / calls,
    r2BytesPerCall: (stored.gzipBytes + forwarded.gzipBytes) / calls,
  };
  const deliveriesPerCall = deliveries / perPhase;
  const keep: Keeping = {
    callRetentionDays: 365,
    rawRetentionDays: 30,
    d1MaxCalls: Math.floor(8e9 / measured.d1BytesPerCall),
  };
  const volumes = [10_000, 100_000, 1_000_000];
  const bills = volumes.map((calls) =>
    monthlyCost({ calls, deliveriesPerCall, cronRuns: 1440 } satisfies Day, measured, keep),
  );

  const usageRows = (
    [
      ["D1 rows written", (u: Usage) => u.d1RowsWritten],
      ["D1 rows read", (u: Usage) => u.d1RowsRead],
      ["Worker requests", (u: Usage) => u.requests],
      ["CPU ms (workerd, upper bound)", (u: Usage) => u.cpuMs],
      ["R2 class A", (u: Usage) => u.r2ClassA],
      ["R2 class B", (u: Usage) => u.r2ClassB],
      ["Queue operations", (u: Usage) => u.queueOps],
      ["Durable Object requests", (u: Usage) => u.durableObjectRequests],
    ] as const
  ).map(([name, pick]) => [
    name,
    fmt(pick(perCall), 4),
    fmt(pick(perDelivery), 4),
    fmt(pick(perCron), 4),
    fmt(pick(perExpired), 4),
  ]);
  const billNames = bills[0]?.lines.map((l) => l.name) ?? [];
  const billRows = billNames.map((name) => [
    name,
    ...bills.map((b) => {
      const l = b.lines.find((x) => x.name === name);
      return l ? `${fmt(l.quantity, 3)} → $${l.usd.toFixed(2)}` : "";
    }),
  ]);
  billRows.push(["**total per month**", ...bills.map((b) => `**$${b.total.toFixed(2)}**`)]);
  const wPerCall = perCall.d1RowsWritten;
  const wPerDelivery = perDelivery.d1RowsWritten;

  console.log(
    [
      `## bench:cost — ${new Date().toISOString()}`,
      "",
      `Machine: ${machineSummary()}; load at the first push ${loadStart}, after the run ${loadNow()}`,
      `callrelay: ${tree.label}. ${perPhase.toLocaleString("en-US")} varied calls per phase (bench/lib/records.ts, ${TASKS} tasks) in pushes of ${PER_PUSH} (${IN_FLIGHT} in flight; the second phase's ${pushInterval > 0 ? `one every ${pushInterval} ms` : "all at once"}); ${forwarded.matching.toLocaleString("en-US")} of the second phase's matched (${fmt((100 * forwarded.matching) / perPhase)}%), ${deliveries.toLocaleString("en-US")} deliveries (${delivered.toLocaleString("en-US")} delivered, ${hooks.toLocaleString("en-US")} webhook requests received); ${sweeps} retention sweeps expired ${calls.toLocaleString("en-US")} calls.`,
      "",
      `**D1 rows written per stored call: ${fmt(wPerCall, 4)}** (goal ≤ ${GOAL_PER_CALL} ${wPerCall <= GOAL_PER_CALL ? "✓" : "✗"}); **per delivery: ${fmt(wPerDelivery, 4)}** (goal ≤ ${GOAL_PER_DELIVERY} ${wPerDelivery <= GOAL_PER_DELIVERY ? "✓" : "✗"}).`,
      "",
      markdownTable(["usage", "per stored call", "per delivery", "per cron run", "per expired call"], usageRows),
      "",
      `D1: ${fmt(measured.d1BytesPerCall, 4)} bytes per call (dbstat); R2 archive: ${fmt(measured.r2BytesPerCall, 4)} gzip bytes per call. Phases: cron ${fmt(idle.wallMs / 1000)} s, storing ${fmt(storing.wallMs / 1000)} s (${fmt(stored.recordsPerSecond)} rec/s), delivering ${fmt(delivering.wallMs / 1000)} s, retention ${fmt(expiring.wallMs / 1000)} s.`,
      "",
      `### Monthly cost (30 days; ${fmt(deliveriesPerCall, 3)} deliveries per call, a cron run a minute, calls kept ${keep.callRetentionDays} days or as many as 8 GB of D1 holds (${keep.d1MaxCalls.toLocaleString("en-US")}), raw bodies ${keep.rawRetentionDays} days)`,
      "",
      markdownTable(["line", ...volumes.map((v) => `${v.toLocaleString("en-US")} calls/day`)], billRows),
      "",
      `Total bench time: ${fmt((Date.now() - started) / 1000)} s${flags.keep ? ` (kept ${workDir})` : ""}`,
    ].join("\n"),
  );
}

try {
  await main();
} catch (err) {
  console.error(`\nbench:cost failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
