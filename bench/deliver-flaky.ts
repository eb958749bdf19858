// The "flaky receiver" part of `npm run bench:deliver` (issue 16): a sustained load of concurrent 100-record pushes,
// every call matching one webhook whose receiver answers first attempts 85% 200, 10% 500, 3% 429 (Retry-After: 2) and
// 2% not at all (past the timeout), every retry 200; the Worker SIGKILLed half-way through the load and started again.
// Figures and their reading: docs/benchmarks.md ("Flaky receiver").
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { postPush } from "./lib/load.ts";
import { assertLoopback } from "./lib/ports.ts";
import type { PlatformRecord } from "./lib/records.ts";
import { pushBody } from "./lib/records.ts";
import { fmt } from "./lib/stats.ts";
import type { DevWorker } from "./lib/wrangler.ts";

const CALLS = 21_000;
const PUSH_SIZE = 100;
const IN_FLIGHT = 4;
const MARK = "2000000";
const GOAL_AFTER_LOAD_S = 180;
const GOAL_DRAIN_RATIO = 0.5;
/** Re-sends a crash may cause: what one queue batch holds (max_batch_size). */
const ONE_BATCH = 100;

type Fault = "ok" | "500" | "429" | "hang";
const log = (line: string) => console.error(line);

/** The first attempt's fault for a webhook-id: 85% ok, 10% 500, 3% 429, 2% hang, from a hash of the id. */
function faultOf(webhookId: string): Fault {
  let h = 2166136261;
  for (let i = 0; i < webhookId.length; i++) h = Math.imul(h ^ webhookId.charCodeAt(i), 16777619) >>> 0;
  const bucket = h % 100;
  return bucket < 85 ? "ok" : bucket < 95 ? "500" : bucket < 98 ? "429" : "hang";
}

async function startFlakyReceiver() {
  const seen = new Set<string>();
  const ok = new Map<string, number[]>();
  const faults: Record<Fault, number> = { ok: 0, "500": 0, "429": 0, hang: 0 };
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    for await (const _ of req as AsyncIterable<Buffer>) {
      // drain the body
    }
    const id = String(req.headers["webhook-id"] ?? "");
    const fault: Fault = seen.has(id) ? "ok" : faultOf(id);
    if (!seen.has(id)) {
      seen.add(id);
      faults[fault] += 1;
    }
    if (fault === "hang") {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (fault === "ok") ok.set(id, [...(ok.get(id) ?? []), performance.now()]);
    const status = fault === "ok" ? 200 : fault === "500" ? 500 : 429;
    res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "2" } : {}) });
    res.end(status === 200 ? '{"ok":true}' : '{"error":"busy"}');
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  assertLoopback(url);
  return {
    url,
    ok,
    faults,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Runs the flaky-receiver scenario on `options.worker` (replaced by the restarted one). */
export async function runFlaky(options: {
  worker: DevWorker;
  restart: () => Promise<DevWorker>;
  pushToken: string;
  adminToken: string;
  next: () => PlatformRecord;
  /** The same run's healthy-burst deliveries/s (campaign burst 1), to compare the drain with. */
  healthyPerSecond: number | null;
}): Promise<{ lines: string[]; ok: boolean }> {
  let worker = options.worker;
  const receiver = await startFlakyReceiver();
  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 5_000);
  try {
    const res = await fetch(`${worker.url}/api/v1/destinations`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "flaky",
        type: "webhook",
        config: { url: `${receiver.url}/flaky` },
        filter: { displayNum: MARK },
      }),
    });
    if (res.status !== 201) throw new Error(`creating the flaky destination answered HTTP ${res.status}`);

    const records = Array.from({ length: CALLS }, () => ({ ...options.next(), connected: false, displayNum: MARK }));
    const chunks: PlatformRecord[][] = [];
    for (let i = 0; i < records.length; i += PUSH_SIZE) chunks.push(records.slice(i, i + PUSH_SIZE));
    log(
      `flaky receiver: ${CALLS} matching calls in ${chunks.length} pushes of ${PUSH_SIZE}, ${IN_FLIGHT} in flight; SIGKILL half-way…`,
    );

    let down = false;
    let killedAt = 0;
    let restartedAt = 0;
    let crash: Promise<void> | undefined;
    let pushed = 0;
    let pushRetries = 0;
    const loadStart = performance.now();
    let crons = 0;
    const cron = setInterval(() => {
      if (down) return;
      crons += 1;
      fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`).catch(() => undefined);
    }, 60_000);
    let nextChunk = 0;
    const pusher = async () => {
      for (;;) {
        const chunk = chunks[nextChunk++];
        if (!chunk) return;
        for (;;) {
          if (!down) {
            const outcome = await postPush(
              `${worker.url}/push/${options.pushToken}`,
              pushBody(chunk),
              chunk.length,
            ).catch((err: unknown) => ({ ok: false, error: String(err) }));
            if (outcome.ok) break;
            pushRetries += 1;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
        pushed += 1;
        if (!crash && pushed >= chunks.length / 2) {
          crash = (async () => {
            down = true;
            killedAt = performance.now();
            await worker.kill();
            worker = await options.restart();
            options.worker = worker;
            restartedAt = performance.now();
            down = false;
          })();
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, pusher));
    await crash;
    const loadEnd = performance.now();
    log(`  load done in ${fmt((loadEnd - loadStart) / 1000)} s; waiting for every matching call…`);

    const wanted = CALLS;
    const deadline = performance.now() + 15 * 60_000;
    const firstOk = () => [...receiver.ok.values()].map((times) => times[0] as number);
    while (receiver.ok.size < wanted && performance.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    clearInterval(cron);
    const firsts = firstOk();
    const last = Math.max(...firsts);
    const afterLoad = firsts.filter((t) => t > loadEnd).length;
    const drainSeconds = Math.max(0.001, (last - loadEnd) / 1000);
    const drainRate = afterLoad / drainSeconds;
    const duplicates = [...receiver.ok.values()].filter((times) => times.length > 1).length;
    const complete = receiver.ok.size >= wanted;
    const afterLoadOk = complete && drainSeconds <= GOAL_AFTER_LOAD_S;
    const ratio = options.healthyPerSecond ? drainRate / options.healthyPerSecond : null;
    const ratioOk = ratio !== null && ratio >= GOAL_DRAIN_RATIO;
    const dupesOk = duplicates <= ONE_BATCH;
    const f = receiver.faults;
    const lines = [
      "### Flaky receiver (issue 16)",
      "",
      `${CALLS} matching calls in ${chunks.length} pushes of ${PUSH_SIZE} (${IN_FLIGHT} in flight), first attempts answered ` +
        `${f.ok} × 200, ${f["500"]} × 500, ${f["429"]} × 429 (Retry-After: 2), ${f.hang} × no answer; every retry 200. ` +
        `Load ${fmt((loadEnd - loadStart) / 1000)} s (${pushRetries} push retries while the Worker was down); ` +
        `SIGKILL at ${fmt((killedAt - loadStart) / 1000)} s, started again ${fmt((restartedAt - killedAt) / 1000)} s later; ` +
        `${crons} cron run(s), once a minute. Load average (1 min) during the scenario: ` +
        `${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))}.`,
      "",
      "| figure | value | goal |",
      "|---|---:|---|",
      `| matching calls delivered | ${receiver.ok.size}/${wanted} | all ${complete ? "✓" : "✗"} |`,
      `| last delivery after the load's end | ${fmt(drainSeconds)} s | ≤ ${GOAL_AFTER_LOAD_S} s ${afterLoadOk ? "✓" : "✗"} |`,
      `| drain rate after the load (delivered ÷ time to the last) | ${fmt(drainRate)}/s (${afterLoad} calls) | |`,
      `| healthy-burst rate, same run (campaign burst 1) | ${options.healthyPerSecond === null ? "n/a" : `${fmt(options.healthyPerSecond)}/s`} | |`,
      `| drain ÷ healthy burst | ${ratio === null ? "n/a" : `${fmt(ratio)}×`} | ≥ ${GOAL_DRAIN_RATIO}× ${ratioOk ? "✓" : "✗"} |`,
      `| whole run (calls ÷ first push to last delivery) | ${fmt((wanted / (last - loadStart)) * 1000)}/s | |`,
      `| webhook-ids with more than one 2xx | ${duplicates} | only around the crash, ≤ ${ONE_BATCH} ${dupesOk ? "✓" : "✗"} |`,
    ];
    return { lines, ok: complete && afterLoadOk && dupesOk };
  } finally {
    clearInterval(sampler);
    await receiver.close();
  }
}
