import { sql } from "drizzle-orm";
import { getDb } from "../../storage/db/client";
import { deliveries } from "../../storage/db/schema";
import { type DeliveryMessage, enqueueByLane } from "../dispatch/enqueue";

/** Deliveries re-enqueued per statement. */
export const SWEEP_CHUNK = 1_000;
/** Chunks per sweep: about what the consumer gets through in the minute until the next one. */
export const SWEEP_MAX_CHUNKS = 20;
/** How long the queue gets to carry a swept chunk before the next sweep may send it again; later chunks get more. */
export const SWEEP_GRACE_MS = 60_000;
const CHUNK_PACE_MS = 5_000;

interface SweepEnv {
  DB: D1Database;
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
  SLOW_LANE_QUEUE: Queue<DeliveryMessage>;
}

/**
 * Re-enqueues unleased deliveries of `destinationId` (or of all) due by `dueBy`, in chunks of
 * {@link SWEEP_CHUNK}, each leased and made due now in one statement: first attempts to the fast lane,
 * retries to the slow lane. Returns how many.
 */
async function requeue(env: SweepEnv, now: number, dueBy: number, maxChunks: number, destinationId?: string) {
  const db = getDb(env.DB);
  let total = 0;
  for (let i = 0; i < maxChunks; i++) {
    const rows = await db.all<{ id: string; attempts: number }>(sql`UPDATE ${deliveries}
      SET lease_until = ${now + SWEEP_GRACE_MS + i * CHUNK_PACE_MS}, next_attempt_at = min(next_attempt_at, ${now})
      WHERE id IN (SELECT id FROM ${deliveries}
        WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ${dueBy}
          AND (lease_until IS NULL OR lease_until < ${now})
          ${destinationId === undefined ? sql`` : sql`AND destination_id = ${destinationId}`}
        ORDER BY next_attempt_at LIMIT ${SWEEP_CHUNK})
      RETURNING id, attempts`);
    await enqueueByLane(env, rows);
    total += rows.length;
    if (rows.length < SWEEP_CHUNK) break;
  }
  return total;
}

/**
 * Re-enqueues deliveries that are due but that no queued message is carrying any more: pending ones
 * whose enqueue was lost, retries longer than a queue delay allows, held ones whose circuit may probe
 * again, attempts whose Worker died. Up to {@link SWEEP_MAX_CHUNKS} chunks a run.
 */
export function sweepDeliveries(env: SweepEnv, now = Date.now()) {
  return requeue(env, now, now, SWEEP_MAX_CHUNKS);
}

/** Sends at once the deliveries a destination's open circuit held (due by `heldUntil`); the sweeper takes any left. */
export function releaseHeld(env: SweepEnv, destinationId: string, heldUntil: number, now = Date.now()) {
  return requeue(env, now, Math.max(heldUntil, now), 1, destinationId);
}
