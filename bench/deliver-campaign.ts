// The campaign part of `npm run bench:deliver` (issue 8): a 2,000-call burst to a healthy webhook while a second
// destination, matching 10% of the calls, never answers; the same with 10% of first attempts answered 500; and a
// Worker crash mid-burst. Figures and their reading: docs/benchmarks.md ("Campaign bursts").
import { Webhook } from "standardwebhooks";
import { batchLog, type Hit, type LaneTimes, startCampaignReceiver } from "./lib/campaign.ts";
import { postPush, runLoad } from "./lib/load.ts";
import { assertLoopback } from "./lib/ports.ts";
import type { PlatformRecord } from "./lib/records.ts";
import { pushBody } from "./lib/records.ts";
import { fmt, percentile, ratio } from "./lib/stats.ts";
import { markdownTable } from "./lib/table.ts";
import { type DevWorker, queryLocalD1 } from "./lib/wrangler.ts";

const CALLS = 2_000;
const PUSH_SIZE = 1_000;
const FLOOR_IN_FLIGHT = 6;
const GOAL = 0.3;
/** Every tenth call also matches the destination that never answers. */
const HANG_MARK = "1000000";

type Next = (over?: { connected?: boolean }) => PlatformRecord;
const log = (line: string) => console.error(line);

async function api(worker: DevWorker, adminToken: string, path: string, method: string, body?: unknown) {
  const url = `${worker.url}/api/v1${path}`;
  assertLoopback(url);
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered HTTP ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function waitFor(done: () => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

interface Burst {
  records: PlatformRecord[];
  pushedAt: Map<string, number>;
  started: number;
  startedEpoch: number;
  pushes: Promise<unknown>;
}

function startBurst(worker: DevWorker, pushToken: string, next: Next): Burst {
  const records = Array.from({ length: CALLS }, (_, i) => {
    const r = next({ connected: true });
    return i % 10 === 0 ? { ...r, displayNum: HANG_MARK } : r;
  });
  const pushedAt = new Map<string, number>();
  const started = performance.now();
  const startedEpoch = Date.now();
  const url = `${worker.url}/push/${pushToken}`;
  const chunks = [records.slice(0, PUSH_SIZE), records.slice(PUSH_SIZE)];
  const pushes = Promise.all(
    chunks.map(async (chunk) => {
      const at = performance.now();
      for (const r of chunk) pushedAt.set(r.voiceId, at);
      const outcome = await postPush(url, pushBody(chunk), chunk.length);
      if (!outcome.ok) throw new Error(`push failed: ${outcome.error}`);
    }),
  );
  return { records, pushedAt, started, startedEpoch, pushes };
}

/** The first 2xx of each of the burst's calls at the healthy receiver. */
function delivered(hits: readonly Hit[], burst: Burst) {
  const wanted = new Set(burst.records.map((r) => r.voiceId));
  const first = new Map<string, Hit>();
  for (const h of hits) {
    if (
      h.path.startsWith("/healthy") &&
      h.status === 200 &&
      h.voiceId &&
      wanted.has(h.voiceId) &&
      !first.has(h.voiceId)
    )
      first.set(h.voiceId, h);
  }
  return first;
}

function figures(hits: readonly Hit[], burst: Burst) {
  const first = delivered(hits, burst);
  const latencies = [...first.values()].map((h) => h.at - (burst.pushedAt.get(h.voiceId as string) ?? burst.started));
  const last = Math.max(...[...first.values()].map((h) => h.at - burst.started));
  const twoXx = new Map<string, number>();
  for (const h of hits) {
    if (h.path.startsWith("/healthy") && h.status === 200 && h.voiceId && burst.pushedAt.has(h.voiceId))
      twoXx.set(h.webhookId, (twoXx.get(h.webhookId) ?? 0) + 1);
  }
  return {
    delivered: first.size,
    perSecond: (first.size / last) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lastMs: last,
    duplicates: [...twoXx.values()].filter((n) => n > 1).length,
    first,
  };
}

/** Where the consumer's time went in a burst, per lane, from its log lines (ms, summed over rounds). */
function timesTable(bursts: [string, Map<string, LaneTimes>][]): string {
  const rows = bursts.flatMap(([label, times]) =>
    [...times].map(([lane, t]) => [
      `${label}, ${lane} lane`,
      `${t.invocations} / ${t.rounds}`,
      fmt(t.spanMs),
      fmt(t.idleMs),
      fmt(t.parts.claimReadMs),
      fmt(t.parts.claimWriteMs),
      fmt(t.parts.renderMs),
      fmt(t.parts.sendMs),
      fmt(t.parts.poolMs),
      `${fmt(t.parts.recordMs)} (${fmt(t.parts.recordD1Ms)} / ${fmt(t.parts.judgeMs)})`,
      fmt(t.parts.enqueueMs),
      fmt(t.takeDueMs),
    ]),
  );
  return markdownTable(
    [
      "consumer",
      "invocations / rounds",
      "span",
      "idle between invocations",
      "claim read",
      "claim write",
      "render + sign",
      "requests (sum)",
      "pool wall",
      "record (D1 / breaker DO)",
      "queue sends",
      "take due",
    ],
    rows,
  );
}

/** Runs the campaign bursts; `restart` starts the Worker again on the same local state after a crash. */
export async function runCampaign(options: {
  /** Set to the restarted Worker when the crash burst has run. */
  worker: DevWorker;
  restart: () => Promise<DevWorker>;
  pushToken: string;
  adminToken: string;
  next: Next;
  timeoutMs: number;
}): Promise<{ lines: string[]; ok: boolean; healthyPerSecond: number }> {
  let worker = options.worker;
  const { pushToken, adminToken, next, timeoutMs } = options;
  const receiver = await startCampaignReceiver();
  try {
    const healthy = await api(worker, adminToken, "/destinations", "POST", {
      name: "campaign-healthy",
      type: "webhook",
      config: { url: `${receiver.url}/healthy` },
      filter: { connected: true },
    });
    await api(worker, adminToken, "/destinations", "POST", {
      name: "campaign-hanging",
      type: "webhook",
      config: { url: `${receiver.url}/hang` },
      filter: { displayNum: HANG_MARK },
    });
    const webhook = new Webhook(healthy.secret as string);
    const all = (b: Burst) => () => delivered(receiver.hits, b).size === CALLS;

    log(`campaign: ${CALLS} calls in 2 pushes of ${PUSH_SIZE}, 10% also to a receiver that never answers…`);
    let offset = (await batchLog(worker.logFile, 0)).end;
    const burst = startBurst(worker, pushToken, next);
    await burst.pushes;
    const pushesDoneMs = performance.now() - burst.started;
    const complete = await waitFor(all(burst), timeoutMs);
    const healthyRun = figures(receiver.hits, burst);
    const statements = await batchLog(worker.logFile, offset);
    offset = statements.end;
    const verified = [...healthyRun.first.values()].filter((h) => {
      try {
        webhook.verify(h.body, h.headers);
        return true;
      } catch {
        return false;
      }
    }).length;

    log("  floor: the same signed requests straight to the receiver, 6 in flight…");
    const floor = await runLoad({
      items: [...healthyRun.first.values()],
      concurrency: FLOOR_IN_FLIGHT,
      maxMs: timeoutMs,
      send: async (h) => {
        const res = await fetch(`${receiver.url}/floor`, { method: "POST", headers: h.headers, body: h.body });
        await res.arrayBuffer();
        return { ok: res.status === 200, records: 1, error: `HTTP ${res.status}` };
      },
    });

    log("campaign: the same burst with 10% of first attempts answered 500…");
    receiver.failFirstOf((voiceId) => Number(voiceId.slice(-2)) % 10 === 3);
    const flaky = startBurst(worker, pushToken, next);
    await flaky.pushes;
    const flakyComplete = await waitFor(all(flaky), timeoutMs);
    const flakyRun = figures(receiver.hits, flaky);
    const failedFirst = flaky.records.filter((r) => Number(r.voiceId.slice(-2)) % 10 === 3).length;
    const attempts = await queryLocalD1(
      worker,
      `SELECT attempts, count(*) AS n FROM deliveries WHERE destination_id = '${healthy.id}' AND created_at >= ${flaky.startedEpoch} GROUP BY attempts ORDER BY attempts`,
    );
    const flakyStatements = await batchLog(worker.logFile, offset);
    receiver.failFirstOf(() => false);

    log("campaign: a burst, the Worker killed mid-way, started again on the same local state…");
    const crash = startBurst(worker, pushToken, next);
    await crash.pushes;
    await waitFor(() => delivered(receiver.hits, crash).size >= CALLS / 4, timeoutMs);
    const killedAt = performance.now();
    await worker.stop();
    const beforeCrash = delivered(receiver.hits, crash).size;
    worker = await options.restart();
    const restartedAt = performance.now();
    let crons = 0;
    const cron = setInterval(() => {
      crons += 1;
      fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`).catch(() => undefined);
    }, 60_000);
    const recovered = await waitFor(all(crash), Math.max(timeoutMs, 300_000));
    clearInterval(cron);
    const doneAt = performance.now();
    const crashRun = figures(receiver.hits, crash);

    const ratioValue = healthyRun.perSecond / floor.recordsPerSecond;
    const lines = [
      "### Campaign bursts (issue 8)",
      "",
      markdownTable(
        [
          "burst",
          "delivered",
          "dupes",
          "deliveries/s",
          "floor/s (6 in flight)",
          "ratio",
          "p50 ms",
          "p99 ms",
          "D1 statements/delivery",
        ],
        [
          [
            "2,000 calls, 10% also to a hanging receiver",
            `${healthyRun.delivered}/${CALLS} (${verified} verified)`,
            String(healthyRun.duplicates),
            fmt(healthyRun.perSecond),
            fmt(floor.recordsPerSecond),
            `${ratio(healthyRun.perSecond, floor.recordsPerSecond)} ${ratioValue >= GOAL ? "✓" : "✗"} (goal ≥ ${GOAL}×)`,
            fmt(healthyRun.p50),
            fmt(healthyRun.p99),
            `${fmt(statements.statements / Math.max(1, statements.claimed))} (${statements.statements} in ${statements.batches} batches)`,
          ],
          [
            "same, 10% of first attempts answered 500",
            `${flakyRun.delivered}/${CALLS}`,
            String(flakyRun.duplicates),
            fmt(flakyRun.perSecond),
            "",
            "",
            fmt(flakyRun.p50),
            fmt(flakyRun.p99),
            `${fmt(flakyStatements.statements / Math.max(1, flakyStatements.claimed))}`,
          ],
        ],
      ),
      "",
      `500 burst: ${failedFirst} calls had their first attempt answered 500; deliveries of the healthy destination by attempts: ${attempts
        .map((a) => `${a.n} × ${a.attempts}`)
        .join(", ")}; webhook-ids with more than one 2xx: ${flakyRun.duplicates}.`,
      "",
      `Burst 1: both pushes answered ${fmt(pushesDoneMs)} ms after the burst's start, the first delivery at ${fmt(
        Math.min(...[...healthyRun.first.values()].map((h) => h.at - burst.started)),
      )} ms, the last at ${fmt(healthyRun.lastMs)} ms.`,
      "",
      "Where the consumer's time went (ms; parts summed over rounds, which overlap while stragglers finish; requests",
      "summed over jobs, pool wall per round; idle: time within the span when no invocation of the lane ran):",
      "",
      timesTable([
        ["hanging receiver present", statements.times],
        ["10% answered 500", flakyStatements.times],
      ]),
      "",
      `Crash: killed after ${beforeCrash}/${CALLS} had arrived; started again in ${fmt((restartedAt - killedAt) / 1000)} s; ` +
        `every call delivered ${fmt((doneAt - restartedAt) / 1000)} s after the restart (${fmt((doneAt - killedAt) / 1000)} s after the kill), ` +
        `${crons} cron run(s) fired once a minute; ${crashRun.delivered}/${CALLS} delivered, ${crashRun.duplicates} webhook-ids with more than one 2xx.`,
    ];
    const ok = complete && flakyComplete && recovered && healthyRun.duplicates === 0 && flakyRun.duplicates === 0;
    if (!ok) lines.push("", "Not every campaign delivery arrived exactly once.");
    options.worker = worker;
    return { lines, ok, healthyPerSecond: healthyRun.perSecond };
  } finally {
    await receiver.close();
  }
}
