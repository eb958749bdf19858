import { and, eq, inArray, sql } from "drizzle-orm";
import { toNormalizedCall } from "../calls/normalized";
import { runBatch } from "../db/batch";
import { type Db, getDb } from "../db/client";
import { inJsonArray } from "../db/json-ids";
import { calls, type DeliveryStatus, deliveries, deliveryAttempts, destinations } from "../db/schema";
import { resolveOptions } from "../destinations/options";
import { getDestinationType } from "../destinations/registry";
import { overlapSecrets } from "../destinations/rotate-secret";
import type { DestinationType, OutboundRequest } from "../destinations/types";
import type { NormalizedCall } from "../ingest/fields";
import { getConfig } from "../lib/config";
import { storedTemplate } from "../templates/template";
import { MAX_QUEUE_DELAY_SECONDS, retryDelaySeconds } from "./backoff";
import { send, verdictOf } from "./send";

/** What the queue should do with the message after an attempt. */
export type QueueAction = { ack: true } | { ack: false; delaySeconds: number };

const ACK: QueueAction = { ack: true };
/** A message arriving this much before its delivery is due is a duplicate: the due one will follow. */
const EARLY_SLACK_MS = 2_000;
/** How long after its due time a queued retry may take before the sweeper sends it again. */
export const QUEUED_GRACE_MS = 5 * 60_000;
/** A message paced this many times is left to the sweeper rather than risk the dead-letter queue. */
const MAX_PACED_REDELIVERIES = 6;
const STORED_RESPONSE_CHARS = 1024;

type DestinationRow = typeof destinations.$inferSelect;
type Claimed = { id: string; attempts: number; call: NormalizedCall };

/**
 * Attempts one delivery, if it is still due. A chat destination first waits for a send slot under its
 * platform's rate, then takes along the other deliveries due to it (one compact message for a burst).
 * Every delivery sent is claimed in D1 first, so a duplicate message sends nothing; every attempt is
 * logged; a permanent answer disables the destination, and deliveries of a disabled one are paused.
 */
export async function attemptDelivery(
  env: Env,
  deliveryId: string,
  now = Date.now(),
  redeliveries = 0,
): Promise<QueueAction> {
  const db = getDb(env.DB);
  const found = await db
    .select()
    .from(deliveries)
    .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .where(eq(deliveries.id, deliveryId))
    .get();
  if (!found) return ACK;
  const { deliveries: delivery, destinations: destination } = found;
  if (delivery.status !== "pending" && delivery.status !== "retrying") return ACK;
  if (delivery.nextAttemptAt !== null && delivery.nextAttemptAt > now + EARLY_SLACK_MS) return ACK;
  if (!destination) return finish(db, [deliveryId], "failed", "destination was deleted", now);
  if (!destination.enabled) return finish(db, [deliveryId], "paused", null, now);

  const type = getDestinationType(destination.type);
  if (type.rateLimits) {
    const wait = await env.PACER.getByName(destination.id).reserve([...type.rateLimits]);
    if (wait > 0) return defer(db, deliveryId, now + wait, redeliveries);
  }

  const { deliveryTimeoutMs } = getConfig(env);
  const leaseEnd = now + deliveryTimeoutMs + 60_000;
  const group = await claim(db, delivery, type, now, leaseEnd);
  if (group.length === 0) return ACK;

  const request = await render(type, destination, group, deliveryId, now);
  const result = await send(request, deliveryTimeoutMs);
  const verdict = verdictOf(result, type.classify);
  const attemptedAt = Date.now();
  const statusCode = "response" in result ? result.response.status : null;
  const responseBody = "response" in result ? result.response.body.slice(0, STORED_RESPONSE_CHARS) : null;

  const reason = verdict.outcome === "delivered" ? null : verdict.reason;
  const jitter = Math.random();
  const outcomes = group.map((member) => {
    const delay =
      verdict.outcome === "retry" ? retryDelaySeconds(member.attempts, verdict.retryAfterSeconds, () => jitter) : null;
    const status: DeliveryStatus =
      verdict.outcome === "delivered" ? "delivered" : delay !== null ? "retrying" : "failed";
    return { member, status, nextAttemptAt: delay === null ? null : attemptedAt + delay * 1000, delay };
  });
  const lead = outcomes[0] as (typeof outcomes)[number];
  const requeue =
    lead.member.id === deliveryId && lead.delay !== null && lead.delay <= MAX_QUEUE_DELAY_SECONDS ? lead : null;
  // A retry the re-queued message will claim again (its own, or one due no later) is leased to it; any
  // other is left to the sweeper.
  const leaseFor = (next: number | null) =>
    requeue?.nextAttemptAt != null && next !== null && next <= requeue.nextAttemptAt
      ? requeue.nextAttemptAt + QUEUED_GRACE_MS
      : null;

  const updates = outcomes.map(({ member, status, nextAttemptAt }) => {
    const exhausted = verdict.outcome === "retry" && status === "failed";
    return [
      db.insert(deliveryAttempts).values({
        deliveryId: member.id,
        attemptedAt,
        statusCode,
        durationMs: result.durationMs,
        outcome: status === "retrying" ? "retry" : status === "delivered" ? "delivered" : "failed",
        error: reason,
        responseBody,
      }),
      db
        .update(deliveries)
        .set({
          status,
          nextAttemptAt,
          leaseUntil: leaseFor(nextAttemptAt),
          lastStatusCode: statusCode,
          lastError: exhausted ? `gave up after ${member.attempts} attempts: ${reason}` : reason,
          deliveredAt: status === "delivered" ? attemptedAt : null,
          updatedAt: attemptedAt,
        })
        .where(eq(deliveries.id, member.id)),
    ];
  });
  await runBatch(env.DB, [
    ...updates.flat(),
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
  return requeue?.delay != null ? { ack: false, delaySeconds: requeue.delay } : ACK;
}

async function finish(db: Db, ids: string[], status: "paused" | "failed", lastError: string | null, now: number) {
  await db
    .update(deliveries)
    .set({ status, lastError, leaseUntil: null, nextAttemptAt: null, updatedAt: now })
    .where(inJsonArray(deliveries.id, ids));
  return ACK;
}

/** Waits for the destination's next send slot: on the queue, or (after many waits) through the sweeper. */
async function defer(db: Db, deliveryId: string, at: number, redeliveries: number): Promise<QueueAction> {
  const viaQueue = redeliveries < MAX_PACED_REDELIVERIES;
  await db
    .update(deliveries)
    .set({ nextAttemptAt: at, leaseUntil: viaQueue ? at + QUEUED_GRACE_MS : null })
    .where(and(eq(deliveries.id, deliveryId), inArray(deliveries.status, ["pending", "retrying"])));
  return viaQueue ? { ack: false, delaySeconds: Math.ceil((at - Date.now()) / 1000) } : ACK;
}

/**
 * Claims the delivery, and for a type that renders digests up to `digestMax - 1` other deliveries due to
 * the same destination, each in one atomic statement that only due rows pass. Returns the claimed
 * deliveries whose call is still stored, this one first; the others are failed.
 */
async function claim(
  db: Db,
  delivery: typeof deliveries.$inferSelect,
  type: DestinationType,
  now: number,
  leaseEnd: number,
): Promise<Claimed[]> {
  const claimSet = {
    attempts: sql`${deliveries.attempts} + 1`,
    nextAttemptAt: leaseEnd,
    leaseUntil: leaseEnd,
    updatedAt: now,
  };
  const due = and(
    inArray(deliveries.status, ["pending", "retrying"]),
    sql`coalesce(${deliveries.nextAttemptAt}, 0) <= ${now + EARLY_SLACK_MS}`,
  );
  const mine = await db
    .update(deliveries)
    .set(claimSet)
    .where(and(eq(deliveries.id, delivery.id), eq(deliveries.attempts, delivery.attempts), due))
    .returning({ id: deliveries.id, attempts: deliveries.attempts })
    .get();
  if (!mine) return [];
  const extra = (type.digestMax ?? 1) - 1;
  const others =
    type.renderDigest && extra > 0
      ? await db
          .update(deliveries)
          .set(claimSet)
          .where(
            inArray(
              deliveries.id,
              db
                .select({ id: deliveries.id })
                .from(deliveries)
                .where(and(eq(deliveries.destinationId, delivery.destinationId), due))
                .orderBy(deliveries.createdAt)
                .limit(extra),
            ),
          )
          .returning({ id: deliveries.id, attempts: deliveries.attempts })
      : [];
  const claimed = [mine, ...others];
  const rows = await db
    .select({ delivery: { id: deliveries.id }, call: calls })
    .from(deliveries)
    .innerJoin(calls, and(eq(calls.sourceId, deliveries.sourceId), eq(calls.voiceId, deliveries.voiceId)))
    .where(
      inJsonArray(
        deliveries.id,
        claimed.map((c) => c.id),
      ),
    );
  const callById = new Map(rows.map((r) => [r.delivery.id, toNormalizedCall(r.call)]));
  const lost = claimed.filter((c) => !callById.has(c.id)).map((c) => c.id);
  if (lost.length > 0) await finish(db, lost, "failed", "call is no longer stored", now);
  return claimed.flatMap((c) => {
    const call = callById.get(c.id);
    return call ? [{ ...c, call }] : [];
  });
}

function render(
  type: DestinationType,
  destination: DestinationRow,
  group: Claimed[],
  deliveryId: string,
  now: number,
): Promise<OutboundRequest> | OutboundRequest {
  const options = resolveOptions(destination.options, type.chat);
  if (group.length > 1 && type.renderDigest) {
    return type.renderDigest({ config: destination.config, calls: group.map((g) => g.call), options, now });
  }
  return type.render({
    config: destination.config,
    call: (group[0] as Claimed).call,
    options,
    deliveryId,
    now,
    extraSecrets: overlapSecrets(destination, now),
    template: storedTemplate(destination.template),
  });
}
