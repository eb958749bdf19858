import { sql } from "drizzle-orm";
import { getDb } from "../../storage/db/client";
import { deliveries } from "../../storage/db/schema";
import { type DeliveryMessage, enqueueByLane, QUEUE_GRACE_MS } from "../dispatch/enqueue";
import type { Lane } from "./claim";

/**
 * Deliveries a sweep sends: a window, not the whole backlog. Each one consumed takes the next due delivery
 * ({@link takeDue}), so a backlog drains at the consumer's pace while at most this many are queued at once.
 */
export const SWEEP_WINDOW = 1_000;
/** Held deliveries a closing circuit sends at once; each one consumed takes the next, as the sweep's do. */
export const RELEASE_WINDOW = 100;

interface SweepEnv {
  DB: D1Database;
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
  SLOW_LANE_QUEUE: Queue<DeliveryMessage>;
}

/** Which due deliveries {@link takeDue} takes: due by `dueBy` (default now), of one destination, or of one lane's work. */
interface TakeOptions {
  dueBy?: number;
  destinationId?: string;
  /** `fast`: first attempts only; `slow`: retries only. */
  lane?: Lane;
}

/**
 * Takes up to `limit` deliveries that are due and that no queued message or attempt holds (their lease has ended),
 * oldest due first; leases them for {@link QUEUE_GRACE_MS} and makes them due now in one statement, and enqueues them
 * marked `swept`: first attempts on the fast lane, retries on the slow lane. Returns how many.
 */
export async function takeDue(env: SweepEnv, limit: number, now = Date.now(), options: TakeOptions = {}) {
  if (limit <= 0) return 0;
  const { dueBy = now, destinationId, lane } = options;
  const rows = await getDb(env.DB).all<{ id: string; attempts: number }>(sql`UPDATE ${deliveries}
    SET lease_until = ${now + QUEUE_GRACE_MS}, next_attempt_at = min(next_attempt_at, ${now})
    WHERE id IN (SELECT id FROM ${deliveries}
      WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ${dueBy}
        AND (lease_until IS NULL OR lease_until < ${now})
        ${destinationId === undefined ? sql`` : sql`AND destination_id = ${destinationId}`}
        ${lane === undefined ? sql`` : lane === "fast" ? sql`AND attempts = 0` : sql`AND attempts > 0`}
      ORDER BY next_attempt_at LIMIT ${limit})
    RETURNING id, attempts`);
  await enqueueByLane(env, rows, true);
  return rows.length;
}

/**
 * Sends deliveries that are due but that no queued message is carrying any more: pending ones whose enqueue was
 * lost, retries longer than a queue delay allows, held ones whose circuit may probe again, attempts whose Worker
 * died. {@link SWEEP_WINDOW} a run; the consumer takes the rest as it goes.
 */
export function sweepDeliveries(env: SweepEnv, now = Date.now()) {
  return takeDue(env, SWEEP_WINDOW, now);
}

/** Sends at once the deliveries a destination's open circuit held (due by `heldUntil`), {@link RELEASE_WINDOW} first. */
export function releaseHeld(env: SweepEnv, destinationId: string, heldUntil: number, now = Date.now()) {
  return takeDue(env, RELEASE_WINDOW, now, { dueBy: Math.max(heldUntil, now), destinationId });
}

/** The id of one due delivery of a destination that nothing holds, for its breaker's probe, or null. */
export async function dueDeliveryOf(d1: D1Database, destinationId: string, now = Date.now()): Promise<string | null> {
  const rows = await getDb(d1).all<{ id: string }>(sql`SELECT id FROM ${deliveries}
    WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ${now} AND destination_id = ${destinationId}
      AND (lease_until IS NULL OR lease_until < ${now})
    ORDER BY next_attempt_at LIMIT 1`);
  return rows[0]?.id ?? null;
}
