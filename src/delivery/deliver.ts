import { and, eq, inArray } from "drizzle-orm";
import { toNormalizedCall } from "../calls/normalized";
import { runBatch } from "../db/batch";
import { getDb } from "../db/client";
import { calls, deliveries, deliveryAttempts, destinations } from "../db/schema";
import { resolveOptions } from "../destinations/options";
import { getDestinationType } from "../destinations/registry";
import type { Verdict } from "../destinations/types";
import { getConfig } from "../lib/config";
import { MAX_QUEUE_DELAY_SECONDS, retryDelaySeconds } from "./backoff";
import { send } from "./send";

/** What the queue should do with the message after an attempt. */
export type QueueAction = { ack: true } | { ack: false; delaySeconds: number };

const ACK: QueueAction = { ack: true };
/** A message arriving this much before its delivery is due is a duplicate: the due one will follow. */
const EARLY_SLACK_MS = 2_000;
/** How long after its due time a queued retry may take before the sweeper sends it again. */
export const QUEUED_GRACE_MS = 5 * 60_000;
const STORED_RESPONSE_CHARS = 1024;

/**
 * Attempts one delivery, if it is still due: claims it (so a duplicate message sends nothing), sends
 * it, logs the attempt and sets its status. Deliveries of a disabled destination are paused instead.
 */
export async function attemptDelivery(env: Env, deliveryId: string, now = Date.now()): Promise<QueueAction> {
  const db = getDb(env.DB);
  const found = await db
    .select()
    .from(deliveries)
    .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .leftJoin(calls, and(eq(calls.sourceId, deliveries.sourceId), eq(calls.voiceId, deliveries.voiceId)))
    .where(eq(deliveries.id, deliveryId))
    .get();
  if (!found) return ACK;
  const { deliveries: delivery, destinations: destination, calls: call } = found;
  if (delivery.status !== "pending" && delivery.status !== "retrying") return ACK;
  if (delivery.nextAttemptAt !== null && delivery.nextAttemptAt > now + EARLY_SLACK_MS) return ACK;

  const finish = (status: "paused" | "failed", lastError: string | null) =>
    db
      .update(deliveries)
      .set({ status, lastError, leaseUntil: null, nextAttemptAt: null, updatedAt: now })
      .where(eq(deliveries.id, deliveryId));
  if (!destination) return finish("failed", "destination was deleted").then(() => ACK);
  if (!destination.enabled) return finish("paused", null).then(() => ACK);
  if (!call) return finish("failed", "call is no longer stored").then(() => ACK);

  const { deliveryTimeoutMs } = getConfig(env);
  const leaseEnd = now + deliveryTimeoutMs + 60_000;
  const attempts = delivery.attempts + 1;
  const claimed = await db
    .update(deliveries)
    .set({ attempts, nextAttemptAt: leaseEnd, leaseUntil: leaseEnd, updatedAt: now })
    .where(
      and(
        eq(deliveries.id, deliveryId),
        eq(deliveries.attempts, delivery.attempts),
        inArray(deliveries.status, ["pending", "retrying"]),
      ),
    )
    .returning({ id: deliveries.id })
    .get();
  if (!claimed) return ACK;

  const type = getDestinationType(destination.type);
  const extraSecrets =
    destination.previousSecret && (destination.previousSecretExpiresAt ?? 0) > now ? [destination.previousSecret] : [];
  const request = await type.render({
    config: destination.config,
    call: toNormalizedCall(call),
    options: resolveOptions(destination.options, type.chat),
    deliveryId,
    now,
    extraSecrets,
  });
  const result = await send(request, deliveryTimeoutMs);
  const verdict: Verdict =
    "error" in result ? { outcome: "retry", reason: result.error } : type.classify(result.response);
  const statusCode = "response" in result ? result.response.status : null;
  const attemptedAt = Date.now();

  const delay = verdict.outcome === "retry" ? retryDelaySeconds(attempts, verdict.retryAfterSeconds) : null;
  const reason = verdict.outcome === "delivered" ? null : verdict.reason;
  const status =
    verdict.outcome === "delivered"
      ? "delivered"
      : verdict.outcome === "retry" && delay !== null
        ? "retrying"
        : "failed";
  const nextAttemptAt = delay === null ? null : attemptedAt + delay * 1000;
  const queued = delay !== null && delay <= MAX_QUEUE_DELAY_SECONDS;

  await runBatch(env.DB, [
    db.insert(deliveryAttempts).values({
      deliveryId,
      attemptedAt,
      statusCode,
      durationMs: result.durationMs,
      outcome: status === "retrying" ? "retry" : status === "delivered" ? "delivered" : "failed",
      error: reason,
      responseBody: "response" in result ? result.response.body.slice(0, STORED_RESPONSE_CHARS) : null,
    }),
    db
      .update(deliveries)
      .set({
        status,
        nextAttemptAt,
        leaseUntil: queued && nextAttemptAt !== null ? nextAttemptAt + QUEUED_GRACE_MS : null,
        lastStatusCode: statusCode,
        lastError:
          status === "failed" && verdict.outcome === "retry" ? `gave up after ${attempts} attempts: ${reason}` : reason,
        deliveredAt: status === "delivered" ? attemptedAt : null,
        updatedAt: attemptedAt,
      })
      .where(eq(deliveries.id, deliveryId)),
    ...(verdict.outcome === "failed"
      ? [
          db
            .update(destinations)
            .set({
              enabled: false,
              disabledReason: `${verdict.reason} (delivery ${deliveryId})`,
              updatedAt: attemptedAt,
            })
            .where(eq(destinations.id, destination.id)),
        ]
      : []),
  ]);
  return queued ? { ack: false, delaySeconds: delay } : ACK;
}
