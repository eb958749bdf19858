import { type Config, getConfig } from "../../lib/config";
import { getDestinationType } from "../../messages/destinations/registry";
import { overlapSecrets } from "../../messages/destinations/rotate-secret";
import { resolveOptions } from "../../messages/options";
import { recordingLink } from "../../messages/recording-link";
import { storedTemplate } from "../../messages/template";
import type { DestinationType, OutboundRequest } from "../../messages/types";
import { MAX_QUEUE_DELAY_SECONDS, retryDelaySeconds } from "../../model/backoff";
import type { NormalizedCall } from "../../model/calls/fields";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import type { DeliveryStatus } from "../../storage/db/schema";
import { afterAttempt, type Circuit } from "../dispatch/breaker";
import { type DeliveryMessage, type Enqueued, enqueueDeliveries, SLOW_LANE_QUEUE } from "../dispatch/enqueue";
import { send, verdictOf } from "../dispatch/send";
import { type BatchFacts, eventsAfterBatch } from "../events/delivery-events";
import { renderEventDelivery } from "../events/send-event";
import { type Claimed, claimBatch, type Lane } from "./claim";
import { runPool } from "./pool";
import { type AttemptOutcome, type DestinationOutcome, recordStatements, type Unclaimed } from "./record";
import { releaseHeld } from "./sweeper";

/** Requests in flight per invocation: Workers allow 6 open connections at once. */
export const SEND_POOL_SIZE = 6;
/** How long after its due time a queued delivery may take before the sweeper sends it again. */
export const QUEUED_GRACE_MS = 60_000;
/** Delay before the queue redelivers a batch whose processing failed (e.g. D1 unavailable). */
const ERROR_RETRY_SECONDS = 30;
const STORED_RESPONSE_CHARS = 1024;

/** One outbound message: one delivery, or a chat digest of several to one destination. */
interface Job {
  destination: Claimed["destination"];
  type: DestinationType;
  members: Claimed[];
}

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
 * The queue handler, for both lanes. A batch claims its due deliveries in D1 (two round trips), sends them
 * through a pool of {@link SEND_POOL_SIZE} (no destination taking every slot; a chat destination's as digests,
 * each taking one send slot under its platform's rate), records every outcome in one D1 batch, then queues
 * what is due again. In the fast lane a destination that does not answer within `FAST_LANE_TIMEOUT_MS`
 * is marked slow and its deliveries move to the slow lane, so it never holds up the others. A circuit
 * that opens mid-batch holds the destination's remaining deliveries without spending an attempt.
 */
export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const lane: Lane = batch.queue === SLOW_LANE_QUEUE ? "slow" : "fast";
  const ids = [...new Set(batch.messages.map((m) => m.body.deliveryId))];
  try {
    await deliverBatch(env, ids, lane);
    batch.ackAll();
  } catch (err) {
    console.error(JSON.stringify({ msg: "delivery batch failed", lane, deliveries: ids.length, error: String(err) }));
    batch.retryAll({ delaySeconds: ERROR_RETRY_SECONDS });
  }
}

async function deliverBatch(env: Env, ids: readonly string[], lane: Lane) {
  const db = getDb(env.DB);
  const config = getConfig(env);
  const { deliveryTimeoutMs, fastLaneTimeoutMs } = config;
  const timeoutMs = lane === "fast" ? fastLaneTimeoutMs : deliveryTimeoutMs;
  const now = Date.now();
  const leaseEnd = now + deliveryTimeoutMs + 60_000;
  const claim = await claimBatch(db, env.DB, ids, lane, now, leaseEnd, QUEUED_GRACE_MS);

  const outcomes: AttemptOutcome[] = [];
  const unclaimed: Unclaimed[] = [];
  const slowLane: Enqueued[] = claim.redirected.map((deliveryId) => ({ deliveryId }));
  const circuits = new Map(claim.circuits);
  const destinationOutcomes = new Map<string, DestinationOutcome>();
  const outcomeOf = (id: string) => {
    let found = destinationOutcomes.get(id);
    if (!found) {
      const before = circuits.get(id) as Circuit;
      found = { id, circuitBefore: before, circuitAfter: before };
      destinationOutcomes.set(id, found);
    }
    return found;
  };
  const giveBack = (job: Job, nextAttemptAt: number, queueDelaySeconds?: number) => {
    for (const m of job.members) {
      const queued = queueDelaySeconds !== undefined;
      unclaimed.push({
        id: m.id,
        attempts: m.attempts,
        nextAttemptAt,
        leaseUntil: queued ? nextAttemptAt + QUEUED_GRACE_MS : null,
      });
      if (queued) slowLane.push({ deliveryId: m.id, delaySeconds: queueDelaySeconds });
    }
  };

  const facts: BatchFacts = { disabled: [], exhausted: [], circuits: [] };
  const exhausted = (destination: Claimed["destination"], lastError: string | null) => {
    const found = facts.exhausted.find((e) => e.destination.id === destination.id);
    if (found) Object.assign(found, { count: found.count + 1, lastError });
    else facts.exhausted.push({ destination, count: 1, lastError });
  };

  const jobs = jobsOf(claim.claimed);
  const destinationsInBatch = new Set(jobs.map((j) => j.destination.id)).size;
  await runPool(
    jobs,
    {
      concurrency: SEND_POOL_SIZE,
      perKey: Math.max(2, Math.ceil(SEND_POOL_SIZE / Math.max(1, destinationsInBatch))),
      key: (job) => job.destination.id,
    },
    async (job) => {
      const dest = outcomeOf(job.destination.id);
      const started = Date.now();
      if (dest.circuitAfter.state === "open") return giveBack(job, dest.circuitAfter.openUntil ?? started);
      if (lane === "fast" && dest.slow) return giveBack(job, started, 0);
      if (job.type.rateLimits) {
        const wait = await env.PACER.getByName(job.destination.id).reserve([...job.type.rateLimits]);
        if (wait > 0) return giveBack(job, started + wait, Math.ceil(wait / 1000));
      }
      const request = await render(job, config, started);
      const result = await send(request, timeoutMs);
      const attemptedAt = Date.now();
      const statusCode = "response" in result ? result.response.status : null;
      const attempt = {
        attemptedAt,
        statusCode,
        durationMs: result.durationMs,
        responseBody: "response" in result ? result.response.body.slice(0, STORED_RESPONSE_CHARS) : null,
      };
      if (lane === "fast" && "error" in result && result.timedOut) {
        dest.slow = true;
        const error = `no answer within ${timeoutMs} ms: retried in the slow lane`;
        for (const m of job.members) {
          outcomes.push({
            id: m.id,
            attempts: m.attempts,
            attempt: { ...attempt, outcome: "retry", error },
            status: "retrying",
            nextAttemptAt: attemptedAt,
            leaseUntil: attemptedAt + QUEUED_GRACE_MS,
            lastError: error,
          });
          slowLane.push({ deliveryId: m.id });
        }
        return;
      }
      if (lane === "slow" && result.durationMs < fastLaneTimeoutMs && job.destination.slow) dest.slow = false;
      const verdict = verdictOf(result, job.type.classify);
      if (verdict.outcome === "failed") {
        dest.disabledReason = `${verdict.reason} (delivery ${(job.members[0] as Claimed).id})`;
        facts.disabled.push({
          destination: job.destination,
          reason: verdict.reason,
          lastStatusCode: statusCode,
          lastResponse: attempt.responseBody,
        });
      } else dest.circuitAfter = afterAttempt(dest.circuitAfter, verdict.outcome === "delivered", attemptedAt);
      const reason = verdict.outcome === "delivered" ? null : verdict.reason;
      const jitter = Math.random();
      for (const m of job.members) {
        const delay =
          verdict.outcome === "retry" ? retryDelaySeconds(m.attempts, verdict.retryAfterSeconds, () => jitter) : null;
        const status: DeliveryStatus =
          verdict.outcome === "delivered" ? "delivered" : delay !== null ? "retrying" : "failed";
        const nextAttemptAt = delay === null ? null : attemptedAt + delay * 1000;
        const queued = delay !== null && delay <= MAX_QUEUE_DELAY_SECONDS;
        if (queued) slowLane.push({ deliveryId: m.id, delaySeconds: delay });
        const gaveUp = verdict.outcome === "retry" && status === "failed";
        const lastError = gaveUp ? `gave up after ${m.attempts} attempts: ${reason}` : reason;
        if (gaveUp && m.call) exhausted(job.destination, lastError);
        outcomes.push({
          id: m.id,
          attempts: m.attempts,
          attempt: { ...attempt, outcome: status === "retrying" ? "retry" : status, error: reason },
          status,
          nextAttemptAt,
          leaseUntil: queued && nextAttemptAt !== null ? nextAttemptAt + QUEUED_GRACE_MS : null,
          lastError,
        });
      }
    },
  );

  const destinationChanges = [...destinationOutcomes.values()];
  const statements = recordStatements(db, outcomes, unclaimed, destinationChanges, Date.now());
  await runBatch(env.DB, statements);
  await enqueueDeliveries(env.SLOW_LANE_QUEUE, slowLane);
  const closed = destinationChanges.filter(
    (d) => d.circuitBefore.state !== "closed" && d.circuitAfter.state === "closed",
  );
  for (const d of closed) await releaseHeld(env, d.id, d.circuitBefore.openUntil ?? Date.now());
  const named = new Map(jobs.map((j) => [j.destination.id, j.destination]));
  for (const d of destinationChanges) {
    const destination = named.get(d.id);
    if (destination && d.circuitBefore.state !== d.circuitAfter.state)
      facts.circuits.push({ destination, before: d.circuitBefore, after: d.circuitAfter });
  }
  await eventsAfterBatch(env, facts, Date.now());
  console.log(
    JSON.stringify({
      msg: "delivery batch",
      lane,
      messages: ids.length,
      claimed: claim.claimed.length,
      sent: outcomes.length,
      held: claim.held.length + unclaimed.length,
      slowLane: slowLane.length,
      d1Statements: claim.statements + statements.length,
    }),
  );
}
