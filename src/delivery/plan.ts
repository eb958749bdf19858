import type { SQL } from "drizzle-orm";
import { insertJsonRows } from "../db/batch";
import type { Db } from "../db/client";
import { deliveries, destinations } from "../db/schema";
import { matchesFilter } from "../filters/evaluate";
import type { Filter } from "../filters/validate";
import type { NormalizedCall } from "../ingest/fields";
import { newId } from "../lib/crypto";

/** A pending delivery not picked up by then is re-enqueued by the sweeper. */
export const ENQUEUE_GRACE_MS = 60_000;

/** The fields of a delivery (re)queued at `now`: due at once, left to the queue for {@link ENQUEUE_GRACE_MS}. */
export function pendingFields(now: number) {
  return { status: "pending", nextAttemptAt: now, leaseUntil: now + ENQUEUE_GRACE_MS } as const;
}

/** The delivery inserts a push adds to its batch. */
export interface DeliveryPlan {
  /** Inserts of `pending` deliveries, each `RETURNING id` for the rows actually created. */
  pending: SQL[];
  /** Inserts of `paused` deliveries (their destination is disabled), each `RETURNING id` too. */
  paused: SQL[];
}

/** What planning needs of a destination. */
export interface DeliveryTarget {
  id: string;
  filter: Filter;
  sourceIds: string[];
  enabled: boolean;
}

/**
 * One delivery per call and destination whose sources and filter match it. Inserts ignore a delivery
 * that exists already (same destination, source and voiceId), so a re-push never sends twice.
 */
export async function planDeliveries(db: Db, calls: readonly NormalizedCall[], now: number): Promise<DeliveryPlan> {
  if (calls.length === 0) return { pending: [], paused: [] };
  const targets = await db
    .select({
      id: destinations.id,
      filter: destinations.filter,
      sourceIds: destinations.sourceIds,
      enabled: destinations.enabled,
    })
    .from(destinations);
  return planDeliveriesTo(targets, calls, now);
}

/** {@link planDeliveries} for the given destinations. */
export function planDeliveriesTo(
  targets: readonly DeliveryTarget[],
  calls: readonly NormalizedCall[],
  now: number,
): DeliveryPlan {
  const rows = new Map<string, typeof deliveries.$inferInsert>();
  for (const target of targets) {
    for (const call of calls) {
      if (target.sourceIds.length > 0 && !target.sourceIds.includes(call.sourceId)) continue;
      if (!matchesFilter(target.filter, call)) continue;
      rows.set(`${target.id}\n${call.sourceId}\n${call.voiceId}`, {
        id: newId("dlv"),
        destinationId: target.id,
        sourceId: call.sourceId,
        voiceId: call.voiceId,
        ...(target.enabled ? pendingFields(now) : { status: "paused", nextAttemptAt: null, leaseUntil: null }),
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
  const all = [...rows.values()];
  return {
    pending: insertJsonRows(
      deliveries,
      all.filter((r) => r.status === "pending"),
      { doNothing: true },
      "id",
    ),
    paused: insertJsonRows(
      deliveries,
      all.filter((r) => r.status === "paused"),
      { doNothing: true },
      "id",
    ),
  };
}
