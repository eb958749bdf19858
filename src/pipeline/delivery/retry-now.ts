import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import { encodeCursor } from "../../lib/cursor";
import { runBatch } from "../../storage/db/batch";
import { deliveries, deliveryAttempts } from "../../storage/db/schema";
import { moveCounts } from "../../storage/delivery-rollups";
import { type DeliveryMessage, enqueueByLane, QUEUE_GRACE_MS } from "../dispatch/enqueue";

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

/** A delivery whose attempt is in flight (claimed until its lease ends) is left to finish. */
export const notInFlight = (now: number) => sql`coalesce(${deliveries.claimedUntil}, 0) < ${now}`;

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
  const newStatus = sql`CASE WHEN status = 'retrying' THEN 'retrying' ELSE 'pending' END`;
  const selected = sql`SELECT id FROM ${deliveries}
      WHERE destination_id = ${selection.destinationId}
        AND status IN (SELECT value FROM json_each(${JSON.stringify(selection.statuses)}))
        AND ${notInFlight(now)}
        ${selection.where === undefined ? sql`` : sql`AND ${selection.where}`}
        ${ids === undefined ? sql`` : sql`AND id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`}
        ${since === undefined ? sql`` : sql`AND created_at >= ${since}`}
        ${until === undefined ? sql`` : sql`AND created_at < ${until}`}
        ${cursor === undefined ? sql`` : sql`AND (created_at, id) > (${cursor.createdAt}, ${cursor.id})`}
      ORDER BY created_at, id LIMIT ${RETRY_CHUNK}`;
  const [, , updated] = await runBatch(env.DB, [
    moveCounts(sql`SELECT *, ${newStatus} AS new_status FROM ${deliveries} WHERE id IN (${selected})`),
    // A resent first-try success: its attempt, kept on its row, moves to the log first, since its next first-try
    // success would overwrite it there (and any other outcome would leave it without its time).
    sql`INSERT INTO ${deliveryAttempts} (delivery_id, attempted_at, status_code, duration_ms, outcome, response_body,
      detail_key)
    SELECT id, delivered_at, last_status_code, attempt_duration_ms, 'delivered', attempt_response, detail_key
    FROM ${deliveries} WHERE id IN (${selected}) AND attempt_duration_ms IS NOT NULL`,
    sql`UPDATE ${deliveries}
    SET attempts = CASE WHEN status = 'retrying' THEN attempts ELSE 0 END, status = ${newStatus},
      next_attempt_at = ${now}, lease_until = ${now + QUEUE_GRACE_MS}, updated_at = ${now},
      attempt_duration_ms = NULL, attempt_response = NULL, detail_key = NULL
    WHERE id IN (${selected})
    RETURNING id, attempts, created_at`,
  ]);
  const rows = (updated?.results ?? []) as { id: string; attempts: number; created_at: number }[];
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
