import { and, inArray, isNull, lt, lte, or } from "drizzle-orm";
import { getDb } from "../db/client";
import { inJsonArray } from "../db/json-ids";
import { deliveries } from "../db/schema";
import { QUEUED_GRACE_MS } from "./deliver";
import { type DeliveryMessage, enqueueDeliveries } from "./enqueue";

/** Most deliveries re-enqueued by one sweep; the next sweep takes the rest. */
export const SWEEP_LIMIT = 500;

/**
 * Re-enqueues deliveries that are due but that no queued message is carrying any more: pending ones
 * whose enqueue was lost, retries longer than a queue delay allows, attempts whose Worker died.
 */
export async function sweepDeliveries(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue<DeliveryMessage> },
  now = Date.now(),
) {
  const db = getDb(env.DB);
  const due = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        inArray(deliveries.status, ["pending", "retrying"]),
        lte(deliveries.nextAttemptAt, now),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
      ),
    )
    .orderBy(deliveries.nextAttemptAt)
    .limit(SWEEP_LIMIT);
  if (due.length === 0) return 0;
  const ids = due.map((d) => d.id);
  await db
    .update(deliveries)
    .set({ leaseUntil: now + QUEUED_GRACE_MS })
    .where(inJsonArray(deliveries.id, ids));
  await enqueueDeliveries(env.DELIVERY_QUEUE, ids);
  return ids.length;
}
