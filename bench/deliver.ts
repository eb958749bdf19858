#!/usr/bin/env node
// `npm run bench:deliver`: push-to-receipt latency and throughput of webhook forwarding under `wrangler dev
// --local`, with a receiver in this process, against a floor of the same payloads POSTed straight to it.
// Options: --records 200, --concurrency 8 (pushes in flight), --timeout 90 (seconds to wait for every
// delivery), --keep (keep the temp directory), --ref <commit> (bench that commit instead of the working tree),
// --campaign-only / --skip-campaign (only / without the campaign bursts of bench/deliver-campaign.ts),
// --skip-flaky (without the flaky-receiver scenario of bench/deliver-flaky.ts).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { runCampaign } from "./deliver-campaign.ts";
import { runFlaky } from "./deliver-flaky.ts";
import { onCleanup, runCleanup } from "./lib/cleanup.ts";
import { postPush, runLoad } from "./lib/load.ts";
import { loadNow, machineSummary } from "./lib/machine.ts";
import { assertLoopback } from "./lib/ports.ts";
import { type Arrival, startReceiver } from "./lib/receiver.ts";
import { type PlatformRecord, pushBody, recordFactory } from "./lib/records.ts";
import { sourceTree } from "./lib/source-tree.ts";
import { fmt, percentile, ratio } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { type DevWorker, queryLocalD1, startDevWorker } from "./lib/wrangler.ts";

const PUSH_TOKEN = "bench-token";
const ADMIN_TOKEN = "bench-admin-token";

const { values: flags } = parseArgs({
  options: {
    records: { type: "string", default: "200" },
    concurrency: { type: "string", default: "8" },
    timeout: { type: "string", default: "90" },
    keep: { type: "boolean" },
    ref: { type: "string" },
    "campaign-only": { type: "boolean" },
    "skip-campaign": { type: "boolean" },
    "skip-flaky": { type: "boolean" },
  },
});
const RECORDS = Number(flags.records);
const CONCURRENCY = Number(flags.concurrency);
const TIMEOUT_MS = Number(flags.timeout) * 1000;
const log = (line: string) => console.error(line);

/**
 * `records` matching calls in pushes of `batch` records, `concurrency` pushes in flight; with `oneByOne`, each
 * push waits until the previous one's calls have arrived (so no queue batch ever fills up).
 */
interface Scenario {
  name: string;
  records: number;
  batch: number;
  concurrency: number;
  oneByOne?: boolean;
}

interface ScenarioResult {
  scenario: Scenario;
  received: number;
  duplicates: number;
  verified: number;
  pushMs: number;
  firstMs: number;
  lastMs: number;
  p50Ms: number;
  p99Ms: number;
  deliveriesPerSecond: number;
  floorPerSecond: number;
  floorP50Ms: number;
  floorP99Ms: number;
  pushErrors: string[];
}

async function queueSettings(root: string): Promise<string> {
  const toml = await readFile(join(root, "wrangler.toml"), "utf8");
  // The first-attempt lane's consumer block, not the first block of the file (the ingest queue's).
  const block = /\[\[queues\.consumers\]\]\s*queue = "callrelay-deliveries"[^[]*/.exec(toml)?.[0] ?? "";
  const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\d+)`, "m").exec(block)?.[1] ?? "?";
  return `max_batch_size ${get("max_batch_size")}, max_batch_timeout ${get("max_batch_timeout")} s`;
}

async function createDestination(worker: DevWorker, hookUrl: string) {
  const url = `${worker.url}/api/v1/destinations`;
  assertLoopback(url);
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", type: "webhook", config: { url: hookUrl }, filter: { connected: true } }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`creating the destination answered HTTP ${res.status}: ${text}`);
  const created = JSON.parse(text) as { id: string; secret?: string };
  if (!created.secret) throw new Error(`the created destination has no secret: ${text}`);
  return { id: created.id, secret: created.secret };
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function runScenario(
  scenario: Scenario,
  worker: DevWorker,
  receiver: Awaited<ReturnType<typeof startReceiver>>,
  webhook: Webhook,
  next: () => PlatformRecord,
): Promise<ScenarioResult> {
  const records = Array.from({ length: scenario.records }, () => next());
  const pushes: PlatformRecord[][] = [];
  for (let i = 0; i < records.length; i += scenario.batch) pushes.push(records.slice(i, i + scenario.batch));
  const wanted = new Set(records.map((r) => r.voiceId));
  const pushedAt = new Map<string, number>();
  const mine = () => receiver.arrivals.filter((a) => a.voiceId !== undefined && wanted.has(a.voiceId));
  const url = `${worker.url}/push/${PUSH_TOKEN}`;

  const arrived = (ids: readonly string[]) => {
    const seen = new Set(mine().map((a) => a.voiceId));
    return ids.every((id) => seen.has(id));
  };

  log(`${scenario.name}: pushing ${scenario.records} matching records…`);
  const started = performance.now();
  const push = await runLoad({
    items: pushes,
    concurrency: scenario.concurrency,
    maxMs: TIMEOUT_MS,
    send: async (batch) => {
      const at = performance.now();
      for (const r of batch) pushedAt.set(r.voiceId, at);
      const outcome = await postPush(url, pushBody(batch), batch.length);
      if (scenario.oneByOne) await waitFor(() => arrived(batch.map((r) => r.voiceId)), TIMEOUT_MS);
      return outcome;
    },
  });
  const pushMs = performance.now() - started;
  const complete = await waitFor(() => arrived([...wanted]), TIMEOUT_MS);
  if (!complete) log(`  timed out after ${TIMEOUT_MS / 1000} s waiting for deliveries`);

  const arrivals = mine();
  const firstArrival = new Map<string, Arrival>();
  for (const a of arrivals) if (!firstArrival.has(a.voiceId as string)) firstArrival.set(a.voiceId as string, a);
  const latencies = [...firstArrival.values()].map((a) => a.at - (pushedAt.get(a.voiceId as string) ?? started));
  const times = [...firstArrival.values()].map((a) => a.at - started);
  const verified = arrivals.filter((a) => {
    try {
      webhook.verify(a.body, a.headers);
      return true;
    } catch {
      return false;
    }
  }).length;
  const lastMs = times.length > 0 ? Math.max(...times) : Number.NaN;

  log(
    `  ${firstArrival.size}/${scenario.records} delivered; floor: the same ${arrivals.length} requests straight to the receiver…`,
  );
  const floor = await runLoad({
    items: [...firstArrival.values()],
    concurrency: scenario.concurrency,
    maxMs: TIMEOUT_MS,
    send: async (a) => {
      const res = await fetch(`${receiver.url}/floor`, { method: "POST", headers: a.headers, body: a.body });
      await res.arrayBuffer();
      return { ok: res.status === 200, records: 1, error: `HTTP ${res.status}` };
    },
  });
  return {
    scenario,
    received: firstArrival.size,
    duplicates: arrivals.length - firstArrival.size,
    verified,
    pushMs,
    firstMs: times.length > 0 ? Math.min(...times) : Number.NaN,
    lastMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    deliveriesPerSecond: (firstArrival.size / lastMs) * 1000,
    floorPerSecond: floor.recordsPerSecond,
    floorP50Ms: floor.p50Ms,
    floorP99Ms: floor.p99Ms,
    pushErrors: push.errors,
  };
}

async function diagnostics(worker: DevWorker): Promise<string> {
  try {
    const statuses = await queryLocalD1(
      worker,
      "SELECT status, count(*) AS n, sum(attempts) AS attempts, max(attempts) AS max_attempts FROM deliveries GROUP BY status",
    );
    const errors = await queryLocalD1(
      worker,
      "SELECT last_error, count(*) AS n FROM deliveries WHERE last_error IS NOT NULL GROUP BY last_error ORDER BY n DESC LIMIT 5",
    );
    const lines = [
      "Deliveries in D1 at the end:",
      "",
      markdownTable(
        ["status", "deliveries", "attempts", "most attempts"],
        statuses.map((s) => [String(s.status), String(s.n), String(s.attempts), String(s.max_attempts)]),
      ),
    ];
    if (errors.length > 0) {
      lines.push("", "Most frequent last_error:", ...errors.map((e) => `- ${e.n} × ${String(e.last_error)}`));
    }
    return lines.join("\n");
  } catch (err) {
    return `(could not read the deliveries table: ${(err as Error).message})`;
  }
}

async function main() {
  const started = Date.now();
  const machine = machineSummary();
  const workDir = await mkdtemp(join(tmpdir(), "callrelay-bench-"));
  if (!flags.keep) onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const tree = await sourceTree(flags.ref, workDir);
  const receiver = await startReceiver();
  onCleanup(() => receiver.close());
  log(`Receiver on ${receiver.url}; starting callrelay under wrangler dev --local (build, migrations, start)…`);
  const spec = {
    name: "callrelay",
    root: tree.root,
    config: "wrangler.toml",
    vars: { PUSH_TOKEN, ADMIN_TOKEN, ALLOW_HTTP_DESTINATIONS: "1" },
    readyPath: "/health",
    logLevel: "log",
    devArgs: ["--test-scheduled"],
  } as const;
  let worker = await startDevWorker(spec, workDir);
  const destination = await createDestination(worker, `${receiver.url}/hook`);
  const webhook = new Webhook(destination.secret);
  log(`  callrelay ${worker.url}, destination ${destination.id} → ${receiver.url}/hook (logs in ${workDir})`);

  const next = recordFactory({ seed: 11 });
  // One delivery end to end first, so the queue consumer and D1 are warm.
  await runScenario({ name: "warm-up", records: 10, batch: 1, concurrency: 2 }, worker, receiver, webhook, () =>
    next({ connected: true }),
  );
  const scenarios: Scenario[] = flags["campaign-only"]
    ? []
    : [
        {
          name: `${RECORDS} pushes of 1 record, ${CONCURRENCY} in flight`,
          records: RECORDS,
          batch: 1,
          concurrency: CONCURRENCY,
        },
        { name: `1 push of ${RECORDS} records`, records: RECORDS, batch: RECORDS, concurrency: 1 },
        { name: "10 pushes of 1 record, one at a time", records: 10, batch: 1, concurrency: 1, oneByOne: true },
      ];
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    results.push(await runScenario(scenario, worker, receiver, webhook, () => next({ connected: true })));
  }

  let campaign: { lines: string[]; ok: boolean; healthyPerSecond?: number } = { lines: [], ok: true };
  if (!flags["skip-campaign"]) {
    const res = await fetch(`${worker.url}/api/v1/destinations/${destination.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (res.status !== 204) throw new Error(`deleting the first destination answered HTTP ${res.status}`);
    const options = {
      worker,
      restart: () => startDevWorker(spec, workDir),
      pushToken: PUSH_TOKEN,
      adminToken: ADMIN_TOKEN,
      next: () => next({ connected: true }),
      timeoutMs: TIMEOUT_MS,
    };
    campaign = await runCampaign(options);
    worker = options.worker;
  }
  let flaky: { lines: string[]; ok: boolean } = { lines: [], ok: true };
  if (!flags["skip-flaky"]) {
    const options = {
      worker,
      restart: () => startDevWorker(spec, workDir),
      pushToken: PUSH_TOKEN,
      adminToken: ADMIN_TOKEN,
      next: () => next({ connected: false }),
      healthyPerSecond: campaign.healthyPerSecond ?? null,
    };
    flaky = await runFlaky(options);
    worker = options.worker;
  }

  const rows = results.map((r) => [
    r.scenario.name,
    `${r.received}/${r.scenario.records}`,
    `${r.verified}`,
    String(r.duplicates),
    fmt(r.pushMs),
    fmt(r.firstMs),
    fmt(r.lastMs),
    fmt(r.p50Ms),
    fmt(r.p99Ms),
    r.scenario.oneByOne ? `(${fmt(r.deliveriesPerSecond)}, serial)` : fmt(r.deliveriesPerSecond),
    fmt(r.floorPerSecond),
    fmt(r.floorP50Ms),
    fmt(r.floorP99Ms),
    r.scenario.oneByOne ? "n/a" : ratio(r.deliveriesPerSecond, r.floorPerSecond),
    ratio(r.p50Ms, r.floorP50Ms),
  ]);
  const forwarding = [
    "### Webhook forwarding under wrangler dev --local (times in ms from the start of the burst; latency per call)",
    "",
    markdownTable(
      [
        "burst",
        "delivered",
        "signature ok",
        "dupes",
        "pushes done",
        "first at",
        "last at",
        "push→receipt p50",
        "p99",
        "deliveries/s",
        "floor deliveries/s",
        "floor p50",
        "floor p99",
        "deliveries/s ratio",
        "p50 ratio",
      ],
      rows,
    ),
    "",
    "Latency is from the start of the push request that carried the call to the webhook's arrival. deliveries/s is",
    "calls delivered ÷ time from the start of the burst to the last arrival. Floor: the same signed requests POSTed",
    "by this process straight to the receiver, as many in flight as the burst had pushes in flight. Ratios are",
    "callrelay ÷ floor. The one-at-a-time row waits for each call before the next push: no queue batch fills up,",
    "so its latency shows the queue's max_batch_timeout.",
    "",
  ];
  const output = [
    `## bench:deliver — ${new Date(started).toISOString()}`,
    "",
    `Machine: ${machine}`,
    `callrelay: ${tree.label}`,
    `Queue (wrangler.toml): ${await queueSettings(tree.root)}; local Queues in miniflare, no network hop to the receiver.`,
    "",
    ...(results.length === 0 ? [] : forwarding),
    ...campaign.lines,
    "",
    ...flaky.lines,
    "",
    await diagnostics(worker),
  ];
  if (!campaign.ok || !flaky.ok) process.exitCode = 1;
  const pushErrors = results.flatMap((r) => r.pushErrors);
  if (pushErrors.length > 0) output.push("", `Push errors: ${pushErrors.join(" | ")}`);
  if (results.some((r) => r.received < r.scenario.records)) {
    output.push("", "Not every delivery arrived. The end of wrangler's output:", "", "```", worker.output(), "```");
    process.exitCode = 1;
  }
  output.push(
    "",
    `Total bench time: ${fmt((Date.now() - started) / 1000)} s; load average at the end ${loadNow()}` +
      (flags.keep ? ` (kept ${workDir})` : ""),
  );
  console.log(output.join("\n"));
}

try {
  await main();
} catch (err) {
  console.error(`\nbench:deliver failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
