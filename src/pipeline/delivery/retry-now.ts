import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import { encodeCursor } from "../../lib/cursor";
import { getDb } from "../../storage/db/client";
import { deliveries } from "../../storage/db/schema";
import { type DeliveryMessage, enqueueByLane } from "../dispatch/enqueue";
import { QUEUED_GRACE_MS } from "./decide";

/** Most deliveries one bulk retry request sends again; `nextCursor` continues. */
export const RETRY_CHUNK = 500;

/** Statuses a delivery can be retried from. */
export const retryableStatuses = ["failed", "paused", "retrying"] as const;
export type RetryableStatus = (typeof retryableStatuses)[number];

/** The sort keys of a bulk retry's `nextCursor`: the last delivery retried. */
export const retryCursor = z.object({ createdAt: z.number().int(), id: z.string() });

/** Which deliveries of one destination to send again. */
export interface RetrySelection {
  destinationId: string;
  /** A delivered one only by hand, one delivery at a time (force-resend). */
  statuses: readonly (RetryableStatus | "delivered")[];
  /** Only these deliveries (a hand retry of one), else every match created in `[since, until)` after `cursor`. */
  ids?: readonly string[];
  since?: number;
  until?: number;
  cursor?: z.output<typeof retryCursor>;
  /** Any further condition on `deliveries` (a console filter). */
  where?: SQL;
}

/** A retrying delivery whose attempt is in flight (its claim's lease) is left to finish. */
export const notInFlight = (now: number) =>
  sql`NOT (${deliveries.status} = 'retrying' AND coalesce(${deliveries.leaseUntil}, 0) > ${now} AND ${deliveries.nextAttemptAt} = ${deliveries.leaseUntil})`;

/**
 * Sends matching deliveries again now, at most {@link RETRY_CHUNK} per call, oldest first, in one statement:
 * a failed, paused or delivered one from the start of its retry schedule (attempts back to 0), a retrying one with its
 * attempts kept. An attempt in flight (its claim's lease) is left to finish. First attempts go to the fast
 * lane, the others to the slow lane, ahead of any backlog of first attempts.
 */
export async function retryNow(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue<DeliveryMessage>; SLOW_LANE_QUEUE: Queue<DeliveryMessage> },
  selection: RetrySelection,
  now: number,
) {
  const { cursor, ids, since, until } = selection;
  const rows = await getDb(env.DB).all<{ id: string; attempts: number; created_at: number }>(sql`UPDATE ${deliveries}
    SET attempts = CASE WHEN status = 'retrying' THEN attempts ELSE 0 END,
      status = CASE WHEN status = 'retrying' THEN 'retrying' ELSE 'pending' END,
      next_attempt_at = ${now}, lease_until = ${now + QUEUED_GRACE_MS}, updated_at = ${now}
    WHERE id IN (SELECT id FROM ${deliveries}
      WHERE destination_id = ${selection.destinationId}
        AND status IN (SELECT value FROM json_each(${JSON.stringify(selection.statuses)}))
        AND ${notInFlight(now)}
        ${selection.where === undefined ? sql`` : sql`AND ${selection.where}`}
        ${ids === undefined ? sql`` : sql`AND id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`}
        ${since === undefined ? sql`` : sql`AND created_at >= ${since}`}
        ${until === undefined ? sql`` : sql`AND created_at < ${until}`}
        ${cursor === undefined ? sql`` : sql`AND (created_at, id) > (${cursor.createdAt}, ${cursor.id})`}
      ORDER BY created_at, id LIMIT ${RETRY_CHUNK})
    RETURNING id, attempts, created_at`);
  await enqueueByLane(env, rows);
  const last = rows.reduce<(typeof rows)[number] | undefined>(
    (max, r) => (!max || r.created_at > max.created_at || (r.created_at === max.created_at && r.id > max.id) ? r : max),
    undefined,
  );
  return {
    ids: rows.map((r) => r.id),
    nextCursor: rows.length === RETRY_CHUNK && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}
