import { type Config, getConfig } from "../../lib/config";
import { describeError, scrub } from "../../lib/log-error";
import { getDestinationType } from "../../messages/destinations/registry";
import { overlapSecrets } from "../../messages/destinations/rotate-secret";
import { resolveOptions } from "../../messages/options";
import { recordingLink } from "../../messages/recording-link";
import { storedTemplate } from "../../messages/template";
import type { DestinationType, OutboundRequest } from "../../messages/types";
import { type Judgement, judge, NO_HEALTH, type Observation, observe } from "../../model/breaker-window";
import type { NormalizedCall } from "../../model/calls/fields";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { type Circuit, nextCircuit } from "../dispatch/breaker";
import {
  type DeliveryMessage,
  type Enqueued,
  enqueueDeliveries,
  QUEUE_GRACE_MS,
  SLOW_LANE_QUEUE,
} from "../dispatch/enqueue";
import { send, verdictOf } from "../dispatch/send";
import { type BatchFacts, eventsAfterBatch } from "../events/delivery-events";
import { renderEventDelivery } from "../events/send-event";
import { type AttemptArchive, attemptArchive } from "./attempt-archive";
import { type Claimed, claimBatch, type Lane } from "./claim";
import { type AttemptDecision, decideAttempt, type JobResult } from "./decide";
import { runPool } from "./pool";
import { type DestinationOutcome, recordStatements, type Unclaimed } from "./record";
import { dueDeliveryOf, releaseHeld, takeDue } from "./sweeper";

/** Requests in flight per invocation: Workers allow 6 open connections at once. */
export const SEND_POOL_SIZE = 6;
/** Delay before the queue redelivers a batch whose processing failed (e.g. D1 unavailable). */
const ERROR_RETRY_SECONDS = 30;
/**
 * How long a claimed delivery may wait for a send slot. Its lease covers that, the request's timeout and
 * {@link LEASE_MARGIN_MS}; a job that could not start in time is given back unsent, so no attempt outlives its lease.
 */
export const START_WINDOW_MS = 20_000;
const LEASE_MARGIN_MS = 10_000;
/**
 * Stragglers. `after` is this long, or 4 times the median time of this isolate's recent answers if longer (with none
 * yet: the fast lane's whole budget). A destination's jobs no longer hold the batch when none of them waits to start
 * and each of its requests out has been out `after` (the batch's tail); or when it is stuck: it has not answered once
 * in this batch, and a request of it timed out or has been out `after` and {@link STUCK_MS} (a receiver that hangs).
 * Once that holds for every destination left, the batch records what finished and returns (so the queue hands over the
 * next batch); the requests out finish in the background (`waitUntil`) under their lease and are recorded as they
 * end, and a stuck destination's jobs still waiting go back to the lane, due once those requests' timeout has passed.
 * So a batch is never held by its slowest member, and its background work is at most the pool's requests.
 */
export const STRAGGLER_MS = 100;
/** The least time a request of a destination that has not answered in the batch is out before it counts as stuck. */
const STUCK_MS = 300;
const STRAGGLER_FACTOR = 4;
/** How many recent answer times (any destination) this isolate keeps to judge stragglers by. */
const RECENT_ANSWERS = 200;
const recentAnswersMs: number[] = [];
/**
 * How long the background part of an invocation may run after the handler has returned: Workers cancel `waitUntil`
 * work 30 s after that, so no request starts there unless it can end within this.
 */
const BACKGROUND_MS = 25_000;
/**
 * A batch records its finished attempts whenever this many are waiting, and starts no request while this many are
 * unrecorded (waiting or being recorded), so a crash re-sends at most this many of a batch plus its requests in
 * flight, however slow D1 is; at about 0.1 D1 statements per delivery.
 */
export const RECORD_EVERY = 50;
/**
 * When a lane's queue held nothing behind a batch, the batch takes up to this many due deliveries of its lane that no
 * queue message carries any more (their lease ended) from D1 before it returns, so a backlog whose messages were lost
 * (a crash of the local queues, an enqueue that failed) drains at the consumer's pace without waiting for a sweep.
 */
export const PICKUP_MAX = 200;

/**
 * Where a round's wall time went (ms), logged with its `delivery batch` line so a bench can add them up: the claim's
 * read and batch, rendering and signing, the pacer, the requests (summed over jobs, and the pool's wall time), and
 * recording (its wall time, of which the D1 batch, the breaker window's Durable Object and the queue sends).
 */
interface RoundTimes {
  claimReadMs: number;
  claimWriteMs: number;
  renderMs: number;
  pacerMs: number;
  sendMs: number;
  poolMs: number;
  recordMs: number;
  recordD1Ms: number;
  judgeMs: number;
  enqueueMs: number;
}

/** One outbound message: one delivery, or a chat digest of several to one destination. */
interface Job {
  destination: Claimed["destination"];
  type: DestinationType;
  members: Claimed[];
}

/**
 * A job that ran: sent (or failed trying), with the key of its archived details when kept, or given back unsent, due
 * again at `until` (queued after `delaySeconds`; `sameLane`: on the batch's own lane, otherwise on the slow lane).
 */
type Ran =
  | { job: Job; result: JobResult; detailKey: string | null }
  | { job: Job; givenBack: { until: number; delaySeconds: number; sameLane?: boolean } };

/**
 * Splits claimed deliveries into messages: a chat destination's calls as digests of up to `digestMax`, one
 * message each otherwise (events always on their own).
 */
function jobsOf(claimed: readonly Claimed[]): Job[] {
  const byDestination = new Map<string, Claimed[]>();
  for (const c of claimed) byDestination.set(c.destination.id, [...(byDestination.get(c.destination.id) ?? []), c]);
  return [...byDestination.values()].flatMap((members) => {
    const destination = (members[0] as Claimed).destination;
    const type = getDestinationType(destination.type);
    const size = type.renderDigest ? (type.digestMax ?? 1) : 1;
    const jobs: Job[] = members.filter((m) => m.event).map((m) => ({ destination, type, members: [m] }));
    const ofCalls = members.filter((m) => m.call);
    for (let i = 0; i < ofCalls.length; i += size)
      jobs.push({ destination, type, members: ofCalls.slice(i, i + size) });
    return jobs;
  });
}

/** Renders a job's message; chat messages carry each call's recording link when links are on. */
async function render(job: Job, config: Config, now: number): Promise<OutboundRequest> {
  const { type, destination, members } = job;
  const lead = members[0] as Claimed;
  if (lead.event) return renderEventDelivery(destination, lead.event, lead.id, now);
  const options = resolveOptions(destination.options, type.chat);
  const calls = members.flatMap((m) => (m.call ? [m.call] : []));
  const recordingUrls = type.chat ? await Promise.all(calls.map((call) => recordingLink(config, call, now))) : [];
  if (calls.length > 1 && type.renderDigest) {
    return type.renderDigest({ config: destination.config, calls, options, now, recordingUrls });
  }
  return type.render({
    config: destination.config,
    call: calls[0] as NormalizedCall,
    options,
    deliveryId: lead.id,
    now,
    extraSecrets: overlapSecrets(destination, now),
    template: storedTemplate(destination.template),
    recordingUrl: recordingUrls[0],
  });
}

/**
 * The queue handler, for both lanes. Each message names a delivery (or, `probe`, a destination whose breaker
 * cool-down ended: one of its due deliveries is sent as the probe). See {@link deliverBatch}. Then it takes due work
 * no message carries any more from D1: every `swept` message consumed takes the next due delivery, and when the
 * lane's queue held nothing behind this batch, up to {@link PICKUP_MAX} (so a backlog drains at the consumer's pace).
 */
export async function consumeDeliveries(
  batch: MessageBatch<DeliveryMessage>,
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<void> {
  const lane: Lane = batch.queue === SLOW_LANE_QUEUE ? "slow" : "fast";
  const ids = new Set<string>();
  const probes = new Set<string>();
  let swept = 0;
  for (const { body } of batch.messages) {
    if ("probe" in body) probes.add(body.probe);
    else {
      ids.add(body.deliveryId);
      if (body.swept) swept++;
    }
  }
  const backlog = batch.metadata?.metrics?.backlogCount;
  const archive = attemptArchive(Date.now());
  let handedOver: { background: Promise<void> } | null = null;
  try {
    for (const destinationId of probes) {
      const id = await dueDeliveryOf(env.DB, destinationId);
      if (id) ids.add(id);
    }
    const startedAt = Date.now();
    handedOver = await deliverBatch(env, [...ids], lane, archive);
    const takeAt = Date.now();
    const took = await takeDue(env, backlog === 0 ? Math.max(swept, PICKUP_MAX) : swept, Date.now(), { lane });
    batch.ackAll();
    console.log(
      JSON.stringify({
        msg: "delivery invocation",
        lane,
        messages: batch.messages.length,
        swept,
        backlog: backlog ?? null,
        took,
        startedAt,
        totalMs: Date.now() - startedAt,
        takeDueMs: Date.now() - takeAt,
      }),
    );
  } catch (err) {
    console.error(
      JSON.stringify({ msg: "delivery batch failed", lane, deliveries: ids.size, error: describeError(err) }),
    );
    batch.retryAll({ delaySeconds: ERROR_RETRY_SECONDS });
  } finally {
    // One archive object per batch, written once its last attempt is in (after the stragglers when there are some),
    // off the batch's path: the next batch does not wait for the R2 write.
    ctx.waitUntil((handedOver?.background ?? Promise.resolve()).then(() => archive.write(env.ARCHIVE)));
  }
}

/** The median of `values` (not empty). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * One batch: claims the due deliveries among `ids` in D1 (two round trips), sends them through a pool of
 * {@link SEND_POOL_SIZE} (no destination taking every slot; a chat destination's as digests, each taking one send
 * slot under its platform's rate), then records them: read, decide ({@link decideAttempt}, {@link nextCircuit}),
 * write, every {@link RECORD_EVERY} and at the end; each attempt's request and answer go to `archive`. Returns null
 * when every job has finished, or, as soon as only stragglers ({@link STRAGGLER_MS}) are left, the work that finishes
 * and records them (`background`, which never rejects), for the handler to leave in `ctx.waitUntil`.
 */
async function deliverBatch(
  env: Env,
  ids: readonly string[],
  lane: Lane,
  archive: AttemptArchive,
): Promise<{ background: Promise<void> } | null> {
  if (ids.length === 0) return null;
  const db = getDb(env.DB);
  const config = getConfig(env);
  const timeoutMs = lane === "fast" ? config.fastLaneTimeoutMs : config.deliveryTimeoutMs;
  const now = Date.now();
  const leaseEnd = now + START_WINDOW_MS + timeoutMs + LEASE_MARGIN_MS;
  const claim = await claimBatch(db, env.DB, ids, lane, now, leaseEnd, QUEUE_GRACE_MS);
  const times: RoundTimes = {
    claimReadMs: claim.readMs,
    claimWriteMs: claim.writeMs,
    renderMs: 0,
    pacerMs: 0,
    sendMs: 0,
    poolMs: 0,
    recordMs: 0,
    recordD1Ms: 0,
    judgeMs: 0,
    enqueueMs: 0,
  };
  const redirectAt = Date.now();
  await enqueueDeliveries(env.SLOW_LANE_QUEUE, claim.redirected);
  times.enqueueMs += Date.now() - redirectAt;
  const jobs = jobsOf(claim.claimed);
  const circuits = new Map(claim.circuits);
  const destinationsInRound = new Set(jobs.map((j) => j.destination.id)).size;
  let finished: Ran[] = [];
  let completed = 0;
  let poolDone = false;
  /** Jobs not finished yet by destination, those that answered, when each request in flight started, timeouts. */
  const left = new Map<string, number>();
  for (const job of jobs) left.set(job.destination.id, (left.get(job.destination.id) ?? 0) + 1);
  const answered = new Set<string>();
  /** Destinations whose jobs still waiting are given back when the batch hands its stragglers over. */
  const stuck = new Set<string>();
  const inFlight = new Map<Job, number>();
  const timedOut = new Set<string>();
  /** No job starts unless its request can end by then: within its lease, and within the background's time once handed over. */
  let startBy = leaseEnd - LEASE_MARGIN_MS;
  // Lanes by evidence within the batch too: once a destination's requests here are judged slow, its unsent ones go
  // to the slow lane at once instead of each waiting out the fast lane's timeout.
  const seen = new Map<string, Observation[]>();
  const slowNow = new Set<string>();
  const observeInRound = (job: Job, ran: Ran) => {
    if (!("result" in ran) || ran.result.kind !== "sent") return;
    const { send: sent, attemptedAt } = ran.result;
    if (!("error" in sent)) {
      recentAnswersMs.push(sent.durationMs);
      if (recentAnswersMs.length > RECENT_ANSWERS) recentAnswersMs.shift();
      answered.add(job.destination.id);
    } else if (sent.timedOut) timedOut.add(job.destination.id);
    if (lane !== "fast") return;
    const list = [
      ...(seen.get(job.destination.id) ?? []),
      { at: attemptedAt, ok: !("error" in sent), timedOut: "error" in sent && sent.timedOut },
    ];
    seen.set(job.destination.id, list);
    if (judge(observe(NO_HEALTH, list, attemptedAt), attemptedAt).slow) slowNow.add(job.destination.id);
  };

  let statements = claim.statements;
  let settling: Promise<void> = Promise.resolve();
  let recording = 0;
  let recordFailed: { error: unknown } | undefined;
  /** Records what finished so far, one settle after the other; once one fails, nothing more is sent. */
  const settle = () => {
    settling = settling.then(async () => {
      const ran = finished;
      finished = [];
      recording += ran.length;
      const at = Date.now();
      try {
        statements += await settleJobs(env, ran, lane, timeoutMs, circuits, times);
      } catch (error) {
        recordFailed ??= { error };
        throw error;
      } finally {
        recording -= ran.length;
      }
      if (ran.length > 0) times.recordMs += Date.now() - at;
    });
    return settling;
  };

  const attempt = async (job: Job): Promise<Ran> => {
    while (finished.length + recording >= RECORD_EVERY) await settle();
    if (recordFailed) throw recordFailed.error;
    const at = Date.now();
    if (at + timeoutMs > startBy || slowNow.has(job.destination.id))
      return { job, givenBack: { until: at, delaySeconds: 0 } };
    // Behind a stuck destination's requests: back to this lane once their verdict is in.
    if (stuck.has(job.destination.id))
      return {
        job,
        givenBack: { until: at + timeoutMs, delaySeconds: Math.ceil(timeoutMs / 1000), sameLane: true },
      };
    try {
      // A wait for the destination's pace that fits before the job must start is waited out here: giving the job
      // back would rewrite each of its deliveries (two rows written each) and queue them again.
      for (let wait = await reserveSlot(env, job); wait > 0; wait = await reserveSlot(env, job)) {
        const now = Date.now();
        if (now + wait + timeoutMs > startBy) {
          times.pacerMs += now - at;
          return { job, givenBack: { until: now + wait, delaySeconds: Math.ceil(wait / 1000) } };
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      times.pacerMs += Date.now() - at;
      const renderAt = Date.now();
      const request = await render(job, config, at);
      times.renderMs += Date.now() - renderAt;
      const result = await send(request, timeoutMs);
      times.sendMs += result.durationMs;
      const attemptedAt = Date.now();
      const kept = archive.add(job, request, result, verdictOf(result, job.type.classify), attemptedAt);
      return {
        job,
        result: { kind: "sent", send: kept.sent, verdict: kept.verdict, attemptedAt },
        detailKey: kept.detailKey,
      };
    } catch (err) {
      return {
        job,
        result: {
          kind: "error",
          error: scrub(err instanceof Error ? err.message : String(err)),
          attemptedAt: Date.now(),
        },
        detailKey: null,
      };
    }
  };

  const poolAt = Date.now();
  const pool = runPool(
    jobs,
    {
      concurrency: SEND_POOL_SIZE,
      perKey: Math.max(2, Math.ceil(SEND_POOL_SIZE / Math.max(1, destinationsInRound))),
      key: (job) => job.destination.id,
    },
    async (job) => {
      inFlight.set(job, Date.now());
      const ran = await attempt(job);
      inFlight.delete(job);
      left.set(job.destination.id, (left.get(job.destination.id) ?? 1) - 1);
      observeInRound(job, ran);
      finished.push(ran);
      completed++;
      // Recorded while the pool goes on; a failure surfaces at the batch's last settle.
      if (finished.length >= RECORD_EVERY) settle().catch(() => {});
    },
  ).finally(() => {
    poolDone = true;
    times.poolMs = Date.now() - poolAt;
  });
  const stragglersOnly = async () => {
    while (!poolDone) {
      await new Promise((resolve) => setTimeout(resolve, STRAGGLER_MS / 3));
      const after =
        recentAnswersMs.length === 0
          ? config.fastLaneTimeoutMs
          : Math.max(STRAGGLER_MS, STRAGGLER_FACTOR * median(recentAnswersMs));
      const at = Date.now();
      const hanging = new Set(timedOut);
      const out = new Map<string, number>();
      const recent = new Set<string>();
      for (const [job, since] of inFlight) {
        const id = job.destination.id;
        out.set(id, (out.get(id) ?? 0) + 1);
        if (at - since < after) recent.add(id);
        if (at - since >= Math.max(after, STUCK_MS)) hanging.add(id);
      }
      const tail = (id: string, n: number) => n === (out.get(id) ?? 0) && !recent.has(id);
      const hangs = (id: string) => hanging.has(id) && !answered.has(id);
      if ([...left].every(([id, n]) => n === 0 || tail(id, n) || hangs(id))) {
        for (const [id, n] of left) if (n > 0 && !tail(id, n)) stuck.add(id);
        return;
      }
    }
  };
  const log = () =>
    console.log(
      JSON.stringify({
        msg: "delivery batch",
        lane,
        messages: ids.length,
        claimed: claim.claimed.length,
        held: claim.held.length,
        slowLane: claim.redirected.length,
        background: !poolDone || undefined,
        d1Statements: statements,
        startedAt: now,
        totalMs: Date.now() - now,
        ...times,
      }),
    );

  const done = await Promise.race([pool.then(() => true), stragglersOnly().then(() => poolDone)]);
  if (done) {
    await settle();
    log();
    return null;
  }
  // Only stragglers are left: record what finished, and let them finish in the background.
  const handedAt = Date.now();
  startBy = Math.min(startBy, handedAt + BACKGROUND_MS);
  await settle();
  log();
  const foreground = { statements, completed };
  const background = pool
    .then(() => settle())
    .then(() =>
      console.log(
        JSON.stringify({
          msg: "delivery stragglers",
          lane,
          jobs: completed - foreground.completed,
          d1Statements: statements - foreground.statements,
          totalMs: Date.now() - handedAt,
        }),
      ),
    )
    .catch((err: unknown) =>
      // Their leases stay: the sweeper sends again whatever this could not record.
      console.error(JSON.stringify({ msg: "delivery stragglers failed", lane, error: describeError(err) })),
    );
  return { background };
}

/**
 * Records jobs that ran: decides each attempt, judges each destination's recent attempts (its Durable Object keeps
 * the window) and its breaker, writes it all in one D1 batch, queues retries, sends a probe when a circuit opens and
 * the held deliveries when one closes, and raises the events. Answers the D1 statements written.
 */
async function settleJobs(
  env: Env,
  ran: readonly Ran[],
  lane: Lane,
  timeoutMs: number,
  circuits: Map<string, Circuit>,
  times: RoundTimes,
): Promise<number> {
  if (ran.length === 0) return 0;
  const config = getConfig(env);
  const db = getDb(env.DB);
  const unclaimed: Unclaimed[] = [];
  const enqueue: Enqueued[] = [];
  const again: Enqueued[] = [];
  const decisions: { job: Job; decision: AttemptDecision }[] = [];
  for (const r of ran) {
    if ("givenBack" in r) {
      for (const m of r.job.members) {
        unclaimed.push({
          id: m.id,
          attempts: m.attempts,
          nextAttemptAt: r.givenBack.until,
          leaseUntil: r.givenBack.until + QUEUE_GRACE_MS,
        });
        (r.givenBack.sameLane ? again : enqueue).push({ deliveryId: m.id, delaySeconds: r.givenBack.delaySeconds });
      }
      continue;
    }
    const decision = decideAttempt(r.result, {
      lane,
      timeoutMs,
      fastLaneTimeoutMs: config.fastLaneTimeoutMs,
      destinationSlow: r.job.destination.slow,
      members: r.job.members.map((m) => ({ id: m.id, attempts: m.attempts, isCall: m.call !== undefined })),
      jitter: Math.random(),
      detailKey: r.detailKey,
    });
    decisions.push({ job: r.job, decision });
    enqueue.push(...decision.enqueue);
  }

  const byDestination = new Map<string, { job: Job; decisions: AttemptDecision[] }>();
  for (const { job, decision } of decisions) {
    const entry = byDestination.get(job.destination.id) ?? { job, decisions: [] };
    entry.decisions.push(decision);
    byDestination.set(job.destination.id, entry);
  }
  const facts: BatchFacts = { disabled: [], exhausted: [], circuits: [] };
  const changes: DestinationOutcome[] = [];
  const now = Date.now();
  for (const [id, { job, decisions: list }] of byDestination) {
    const observations = list.flatMap((d) => (d.observation ? [d.observation] : []));
    const judgeAt = Date.now();
    const judgement = observations.length > 0 ? await judgeDestination(env, id, observations) : null;
    times.judgeMs += Date.now() - judgeAt;
    const before = circuits.get(id) ?? { state: "closed", failStreak: 0, trips: 0, openUntil: null };
    const after = nextCircuit(
      before,
      { succeeded: observations.filter((o) => o.ok).length, failed: observations.filter((o) => !o.ok).length },
      judgement,
      now,
    );
    circuits.set(id, after);
    const disable = list.find((d) => d.disable)?.disable;
    const slow =
      lane === "fast" && judgement?.slow && !job.destination.slow
        ? true
        : list.some((d) => d.slowCleared)
          ? false
          : undefined;
    changes.push({
      id,
      circuitBefore: before,
      circuitAfter: after,
      slow,
      disabledReason: disable && `${disable.reason} (delivery ${disable.deliveryId})`,
    });
    if (disable)
      facts.disabled.push({
        destination: job.destination,
        reason: disable.reason,
        lastStatusCode: disable.statusCode,
        lastResponse: disable.response,
      });
    const exhausted = list.flatMap((d) => (d.exhausted ? [d.exhausted] : []));
    if (exhausted.length > 0)
      facts.exhausted.push({
        destination: job.destination,
        count: exhausted.reduce((n, e) => n + e.count, 0),
        lastError: (exhausted.at(-1) as { lastError: string }).lastError,
      });
    if (before.state !== after.state) facts.circuits.push({ destination: job.destination, before, after });
  }

  const outcomes = decisions.flatMap((d) => d.decision.outcomes);
  const statements = recordStatements(db, outcomes, unclaimed, changes, now);
  const writeAt = Date.now();
  await runBatch(env.DB, statements);
  const enqueueAt = Date.now();
  times.recordD1Ms += enqueueAt - writeAt;
  await enqueueDeliveries(env.SLOW_LANE_QUEUE, enqueue);
  await enqueueDeliveries(lane === "fast" ? env.DELIVERY_QUEUE : env.SLOW_LANE_QUEUE, again);
  times.enqueueMs += Date.now() - enqueueAt;
  for (const d of changes) {
    const { circuitBefore: before, circuitAfter: after } = d;
    if (after.state === "open" && before.state !== "open") {
      const delaySeconds = Math.max(0, Math.ceil(((after.openUntil ?? now) - now) / 1000));
      await env.SLOW_LANE_QUEUE.send({ probe: d.id }, { delaySeconds });
    }
    if (after.state === "closed" && before.state !== "closed") await releaseHeld(env, d.id, before.openUntil ?? now);
  }
  await eventsAfterBatch(env, facts, Date.now());
  return statements.length;
}

/** Takes a send slot of a rate-limited destination type (0), or answers how many ms until one is free. */
function reserveSlot(env: Env, job: Job): Promise<number> {
  const { rateLimits } = job.type;
  return rateLimits ? env.PACER.getByName(job.destination.id).reserve([...rateLimits]) : Promise.resolve(0);
}

/** Adds a batch's attempts to a destination's window (its Durable Object) and answers the judgement; null when that fails. */
async function judgeDestination(
  env: Env,
  destinationId: string,
  observations: Observation[],
): Promise<Judgement | null> {
  try {
    return await env.PACER.getByName(destinationId).observe(observations);
  } catch (err) {
    console.error(JSON.stringify({ msg: "breaker window unavailable", destinationId, error: describeError(err) }));
    return null;
  }
}
