import type { Verdict } from "../../messages/types";
import { MAX_QUEUE_DELAY_SECONDS, retryDelaySeconds } from "../../model/backoff";
import type { Observation } from "../../model/breaker-window";
import type { AttemptWaitReason, DeliveryStatus } from "../../storage/db/schema";
import { type Enqueued, QUEUE_GRACE_MS } from "../dispatch/enqueue";
import type { SendResult } from "../dispatch/send";
import type { Lane } from "./claim";
import type { AttemptOutcome } from "./record";

/** The start of a receiver's answer kept with the attempt. */
export const STORED_RESPONSE_CHARS = 1024;

/** What became of one message's attempt: the receiver's answer (or none) as its type reads it, or the job's own failure. */
export type JobResult =
  | { kind: "sent"; send: SendResult; verdict: Verdict; attemptedAt: number }
  /** Rendering, pacing or anything else of the job threw: the attempt is spent and retried on the schedule. */
  | { kind: "error"; error: string; attemptedAt: number };

/** What deciding an attempt needs besides its result. */
export interface AttemptContext {
  lane: Lane;
  /** This lane's request timeout, and the fast lane's (an answer within it clears a destination's slow mark). */
  timeoutMs: number;
  fastLaneTimeoutMs: number;
  /** Whether the destination is marked slow now. */
  destinationSlow: boolean;
  /** The deliveries the message carried (a chat digest carries several), each with the attempt count the claim gave it. */
  members: readonly { id: string; attempts: number; isCall: boolean }[];
  /** In [0, 1): the retry delay's jitter, one draw per message. */
  jitter: number;
  /** Where the request as sent and the answer are archived (R2), when they are. */
  detailKey: string | null;
}

/** Everything one attempt changes: each delivery's state, what to queue, and what its destination learnt. */
export interface AttemptDecision {
  outcomes: AttemptOutcome[];
  /** Retries due within a queue delay, for the slow lane. */
  enqueue: Enqueued[];
  /** For the breaker and the lanes; none when the job failed before reaching the receiver. */
  observation: Observation | null;
  /** A permanent answer: the destination is disabled with this reason. */
  disable?: { reason: string; deliveryId: string; statusCode: number | null; response: string | null };
  /** The destination answered within the fast lane's budget in the slow lane: it is not slow any more. */
  slowCleared: boolean;
  /** Call deliveries that gave up after their last retry, with the last error. */
  exhausted: { count: number; lastError: string } | null;
}

/**
 * Decides one message's attempt: delivered, a retry on Svix's schedule (or the receiver's `Retry-After`; from the
 * fast lane a missing answer is retried at once in the slow lane), failed when the schedule is used up or the answer
 * is permanent. A failure of the job itself (a template that no longer renders, a pacer error) is a failed attempt
 * with that error on record, retried on the schedule, and says nothing about the receiver.
 */
export function decideAttempt(result: JobResult, ctx: AttemptContext): AttemptDecision {
  const { attemptedAt } = result;
  const sent = result.kind === "sent" ? result.send : null;
  const response = sent && "response" in sent ? sent.response : null;
  const timedOut = sent !== null && "error" in sent && sent.timedOut;
  let verdict: Verdict;
  if (result.kind === "error") verdict = { outcome: "retry", reason: `could not send: ${result.error}` };
  else if (timedOut && ctx.lane === "fast")
    verdict = { outcome: "retry", reason: `no answer within ${ctx.timeoutMs} ms: retried in the slow lane` };
  else verdict = result.verdict;
  const waitReason: AttemptWaitReason =
    timedOut && ctx.lane === "fast"
      ? "slow_lane"
      : verdict.outcome === "retry" && verdict.retryAfterSeconds !== undefined
        ? "retry_after"
        : "backoff";

  const attempt = {
    attemptedAt,
    statusCode: response?.status ?? null,
    durationMs: sent?.durationMs ?? 0,
    responseBody: response ? response.body.slice(0, STORED_RESPONSE_CHARS) : null,
    detailKey: ctx.detailKey,
  };
  const reason = verdict.outcome === "delivered" ? null : verdict.reason;
  const outcomes: AttemptOutcome[] = [];
  const enqueue: Enqueued[] = [];
  let gaveUpCalls = 0;
  let lastGiveUp = "";
  for (const m of ctx.members) {
    const delay =
      verdict.outcome === "retry" ? retryDelaySeconds(m.attempts, verdict.retryAfterSeconds, () => ctx.jitter) : null;
    const status: DeliveryStatus =
      verdict.outcome === "delivered" ? "delivered" : delay !== null ? "retrying" : "failed";
    const nextAttemptAt = delay === null ? null : attemptedAt + delay * 1000;
    const queued = delay !== null && delay <= MAX_QUEUE_DELAY_SECONDS;
    if (queued) enqueue.push({ deliveryId: m.id, delaySeconds: delay });
    const gaveUp = verdict.outcome === "retry" && status === "failed";
    const lastError = gaveUp ? `gave up after ${m.attempts} attempts: ${reason}` : reason;
    if (gaveUp && m.isCall) {
      gaveUpCalls++;
      lastGiveUp = lastError as string;
    }
    outcomes.push({
      id: m.id,
      attempts: m.attempts,
      attempt: {
        ...attempt,
        outcome: status === "retrying" ? "retry" : status,
        error: reason,
        waitReason: status === "retrying" ? waitReason : null,
        nextAttemptAt,
      },
      status,
      nextAttemptAt,
      leaseUntil: queued && nextAttemptAt !== null ? nextAttemptAt + QUEUE_GRACE_MS : null,
      lastError,
    });
  }
  return {
    outcomes,
    enqueue,
    observation: sent ? { at: attemptedAt, ok: verdict.outcome === "delivered", timedOut } : null,
    disable:
      verdict.outcome === "failed"
        ? {
            reason: verdict.reason,
            deliveryId: ctx.members[0]?.id ?? "",
            statusCode: attempt.statusCode,
            response: attempt.responseBody,
          }
        : undefined,
    slowCleared:
      ctx.lane === "slow" &&
      ctx.destinationSlow &&
      sent !== null &&
      !timedOut &&
      sent.durationMs < ctx.fastLaneTimeoutMs,
    exhausted: gaveUpCalls > 0 ? { count: gaveUpCalls, lastError: lastGiveUp } : null,
  };
}
