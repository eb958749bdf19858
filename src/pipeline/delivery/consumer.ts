import { sql } from "drizzle-orm";
import { type Config, getConfig } from "../../lib/config";
import { describeError } from "../../lib/log-error";
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
import { deliveries } from "../../storage/db/schema";
import { type Circuit, nextCircuit } from "../dispatch/breaker";
import { type DeliveryMessage, type Enqueued, enqueueDeliveries, SLOW_LANE_QUEUE } from "../dispatch/enqueue";
import { send, verdictOf } from "../dispatch/send";
import { type BatchFacts, eventsAfterBatch } from "../events/delivery-events";
import { renderEventDelivery } from "../events/send-event";
import { type AttemptArchive, attemptArchive } from "./attempt-archive";
import { type Claimed, claimBatch, type Lane } from "./claim";
import { type AttemptDecision, decideAttempt, type JobResult, QUEUED_GRACE_MS } from "./decide";
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
 * When every job of a round has started and the last ones have had no answer for this long, the round records what
 * finished and, while they finish, takes more due work from D1: a batch is never held by its slowest member.
 */
export const STRAGGLER_MS = 300;
/** A batch takes more work from D1 only this long after it started, so an invocation stays bounded. */
const PULL_BUDGET_MS = 20_000;
/** Most deliveries one round takes: a queue batch's worth. */
const ROUND_MAX = 100;
/**
 * A round records its finished attempts whenever this many are waiting, so a crash re-sends at most this many of a
 * round (plus the requests in flight), not a whole batch, at about 0.1 D1 statements per delivery.
 */
export const RECORD_EVERY = 50;
/** Requests in flight at once in one invocation, over all its rounds: the pool's plus as many stragglers. */
const INVOCATION_IN_FLIGHT = 2 * SEND_POOL_SIZE;

/** What the rounds of one invocation share: when it started, its send slots, and the archive of its attempts. */
interface Invocation {
  start: number;
  inFlight: number;
  waiting: (() => void)[];
  archive: AttemptArchive;
}

async function takeSlot(inv: Invocation) {
  while (inv.inFlight >= INVOCATION_IN_FLIGHT) await new Promise<void>((resolve) => inv.waiting.push(resolve));
  inv.inFlight++;
}

function releaseSlot(inv: Invocation) {
  inv.inFlight--;
  inv.waiting.shift()?.();
}

/** One outbound message: one delivery, or a chat digest of several to one destination. */
interface Job {
  destination: Claimed["destination"];
  type: DestinationType;
  members: Claimed[];
}

/**
 * A job that ran: sent (or failed trying), with the key of its archived details when kept, or given back unsent, due
 * again at `until` (queued after `delaySeconds`).
 */
type Ran =
  | { job: Job; result: JobResult; detailKey: string | null }
  | { job: Job; givenBack: { until: number; delaySeconds: number } };

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
 * cool-down ended: one of its due deliveries is sent as the probe); every `swept` message consumed takes the next due
 * delivery from D1, so a backlog drains at the consumer's pace. See {@link deliverRound}.
 */
export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
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
  const archive = attemptArchive(Date.now());
  try {
    for (const destinationId of probes) {
      const id = await dueDeliveryOf(env.DB, destinationId);
      if (id) ids.add(id);
    }
    await deliverRound(env, [...ids], lane, { start: Date.now(), inFlight: 0, waiting: [], archive });
    await takeDue(env, swept);
    batch.ackAll();
  } catch (err) {
    console.error(
      JSON.stringify({ msg: "delivery batch failed", lane, deliveries: ids.size, error: describeError(err) }),
    );
    batch.retryAll({ delaySeconds: ERROR_RETRY_SECONDS });
  } finally {
    await archive.write(env.ARCHIVE);
  }
}

/** Due deliveries of a lane (first attempts in the fast lane, retries in the slow one), oldest due first. */
async function dueIds(d1: D1Database, lane: Lane, limit: number, now: number): Promise<string[]> {
  const rows = await getDb(d1).all<{ id: string }>(sql`SELECT id FROM ${deliveries}
    WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ${now}
      AND ${lane === "fast" ? sql`attempts = 0` : sql`attempts > 0`}
    ORDER BY next_attempt_at LIMIT ${limit}`);
  return rows.map((r) => r.id);
}

/**
 * One round: claims the due deliveries among `ids` in D1 (two round trips), sends them through a pool of
 * {@link SEND_POOL_SIZE} (no destination taking every slot; a chat destination's as digests, each taking one send
 * slot under its platform's rate), then records them: read, decide ({@link decideAttempt}, {@link nextCircuit}),
 * write. When nothing has finished for {@link STRAGGLER_MS} while requests are in flight, what finished is recorded
 * at once and another round takes due work from D1 while they finish, all rounds of an invocation sharing
 * {@link INVOCATION_IN_FLIGHT} send slots.
 */
async function deliverRound(env: Env, ids: readonly string[], lane: Lane, inv: Invocation): Promise<void> {
  if (ids.length === 0) return;
  const db = getDb(env.DB);
  const config = getConfig(env);
  const timeoutMs = lane === "fast" ? config.fastLaneTimeoutMs : config.deliveryTimeoutMs;
  const now = Date.now();
  const leaseEnd = now + START_WINDOW_MS + timeoutMs + LEASE_MARGIN_MS;
  const claim = await claimBatch(db, env.DB, ids, lane, now, leaseEnd, QUEUED_GRACE_MS);
  await enqueueDeliveries(env.SLOW_LANE_QUEUE, claim.redirected);
  const jobs = jobsOf(claim.claimed);
  const circuits = new Map(claim.circuits);
  const destinationsInRound = new Set(jobs.map((j) => j.destination.id)).size;
  let finished: Ran[] = [];
  let started = 0;
  let completed = 0;
  let poolDone = false;
  let lastFinishedAt = Date.now();
  // Lanes by evidence within the round too: once a destination's requests here are judged slow, its unsent ones go
  // to the slow lane at once instead of each waiting out the fast lane's timeout.
  const seen = new Map<string, Observation[]>();
  const slowNow = new Set<string>();
  const observeInRound = (job: Job, ran: Ran) => {
    if (lane !== "fast" || !("result" in ran) || ran.result.kind !== "sent") return;
    const { send: sent, attemptedAt } = ran.result;
    const list = [
      ...(seen.get(job.destination.id) ?? []),
      { at: attemptedAt, ok: !("error" in sent), timedOut: "error" in sent && sent.timedOut },
    ];
    seen.set(job.destination.id, list);
    if (judge(observe(NO_HEALTH, list, attemptedAt), attemptedAt).slow) slowNow.add(job.destination.id);
  };

  let statements = claim.statements;
  let settling: Promise<void> = Promise.resolve();
  /** Records what finished so far, one settle after the other. */
  const settle = () => {
    settling = settling.then(async () => {
      const ran = finished;
      finished = [];
      statements += await settleJobs(env, ran, lane, timeoutMs, circuits);
    });
    return settling;
  };

  const attempt = async (job: Job): Promise<Ran> => {
    await takeSlot(inv);
    try {
      return await attemptIn(job);
    } finally {
      releaseSlot(inv);
    }
  };
  const attemptIn = async (job: Job): Promise<Ran> => {
    const at = Date.now();
    if (at + timeoutMs + LEASE_MARGIN_MS > leaseEnd || slowNow.has(job.destination.id))
      return { job, givenBack: { until: at, delaySeconds: 0 } };
    try {
      if (job.type.rateLimits) {
        const wait = await env.PACER.getByName(job.destination.id).reserve([...job.type.rateLimits]);
        if (wait > 0) return { job, givenBack: { until: at + wait, delaySeconds: Math.ceil(wait / 1000) } };
      }
      const request = await render(job, config, at);
      const result = await send(request, timeoutMs);
      const attemptedAt = Date.now();
      const kept = inv.archive.add(job, request, result, verdictOf(result, job.type.classify), attemptedAt);
      return {
        job,
        result: { kind: "sent", send: kept.sent, verdict: kept.verdict, attemptedAt },
        detailKey: kept.detailKey,
      };
    } catch (err) {
      return {
        job,
        result: { kind: "error", error: err instanceof Error ? err.message : String(err), attemptedAt: Date.now() },
        detailKey: null,
      };
    }
  };

  const pool = runPool(
    jobs,
    {
      concurrency: SEND_POOL_SIZE,
      perKey: Math.max(2, Math.ceil(SEND_POOL_SIZE / Math.max(1, destinationsInRound))),
      key: (job) => job.destination.id,
    },
    async (job) => {
      started++;
      const ran = await attempt(job);
      observeInRound(job, ran);
      finished.push(ran);
      completed++;
      lastFinishedAt = Date.now();
      if (finished.length >= RECORD_EVERY) await settle();
    },
  ).finally(() => {
    poolDone = true;
  });
  const stragglersOnly = async () => {
    while (!poolDone) {
      await new Promise((resolve) => setTimeout(resolve, STRAGGLER_MS / 3));
      if (started > completed && Date.now() - lastFinishedAt >= STRAGGLER_MS) return;
    }
  };

  const more: Promise<void>[] = [];
  const done = await Promise.race([pool.then(() => true), stragglersOnly().then(() => poolDone)]);
  if (!done) {
    await settle();
    if (Date.now() - inv.start < PULL_BUDGET_MS) {
      const next = await dueIds(env.DB, lane, ROUND_MAX - (jobs.length - completed), Date.now());
      more.push(deliverRound(env, next, lane, inv));
    }
    await pool;
  }
  await settle();
  await Promise.all(more);
  console.log(
    JSON.stringify({
      msg: "delivery batch",
      lane,
      messages: ids.length,
      claimed: claim.claimed.length,
      held: claim.held.length,
      slowLane: claim.redirected.length,
      d1Statements: statements,
    }),
  );
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
): Promise<number> {
  if (ran.length === 0) return 0;
  const config = getConfig(env);
  const db = getDb(env.DB);
  const unclaimed: Unclaimed[] = [];
  const enqueue: Enqueued[] = [];
  const decisions: { job: Job; decision: AttemptDecision }[] = [];
  for (const r of ran) {
    if ("givenBack" in r) {
      for (const m of r.job.members) {
        unclaimed.push({
          id: m.id,
          attempts: m.attempts,
          nextAttemptAt: r.givenBack.until,
          leaseUntil: r.givenBack.until + QUEUED_GRACE_MS,
        });
        enqueue.push({ deliveryId: m.id, delaySeconds: r.givenBack.delaySeconds });
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
    const judgement = observations.length > 0 ? await judgeDestination(env, id, observations) : null;
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
  await runBatch(env.DB, statements);
  await enqueueDeliveries(env.SLOW_LANE_QUEUE, enqueue);
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
