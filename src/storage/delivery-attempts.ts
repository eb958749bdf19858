import { type SQL, sql } from "drizzle-orm";
import type { Db } from "./db/client";
import { type AttemptWaitReason, deliveries, deliveryAttempts } from "./db/schema";

/**
 * One attempt of a delivery, logged in `delivery_attempts` or (a first-try success) kept on the delivery's row:
 * time, outcome, status code, duration, error, the wait it set and its details' key.
 */
export interface StoredAttempt {
  deliveryId: string;
  attemptedAt: number;
  statusCode: number | null;
  durationMs: number;
  outcome: "delivered" | "retry" | "failed";
  error: string | null;
  responseBody: string | null;
  /** Why the next attempt waits, and until when (a retry's; null otherwise). */
  waitReason: AttemptWaitReason | null;
  nextAttemptAt: number | null;
  /** The R2 locator of the attempt's stored request and answer, when there is one. */
  detailKey: string | null;
}

/**
 * Every attempt of the deliveries whose ids `ids` selects (a SELECT of ids), as rows of {@link StoredAttempt}'s
 * columns (snake_case) plus `seq` (the log's id; null for one kept on the delivery row, which is always the last).
 */
export function attemptsOf(ids: SQL): SQL {
  return sql`SELECT a.id AS seq, a.delivery_id, a.attempted_at, a.status_code, a.duration_ms, a.outcome, a.error,
      a.response_body, a.wait_reason, a.next_attempt_at, a.detail_key
    FROM ${deliveryAttempts} a WHERE a.delivery_id IN (${ids})
    UNION ALL
    SELECT NULL, d.id, d.delivered_at, d.last_status_code, d.attempt_duration_ms, 'delivered', NULL, d.attempt_response,
      NULL, NULL, d.detail_key
    FROM ${deliveries} d WHERE d.id IN (${ids}) AND d.attempt_duration_ms IS NOT NULL`;
}

type Raw = {
  delivery_id: string;
  attempted_at: number;
  status_code: number | null;
  duration_ms: number;
  outcome: StoredAttempt["outcome"];
  error: string | null;
  response_body: string | null;
  wait_reason: AttemptWaitReason | null;
  next_attempt_at: number | null;
  detail_key: string | null;
};

/**
 * The attempts of one delivery, or of several (a call's), oldest first: the latest `limit` of them. The one read of
 * attempts the API and the console use, whichever table an attempt's facts are in.
 */
export async function listAttempts(
  db: Db,
  deliveryId: string | readonly string[],
  limit: number,
): Promise<StoredAttempt[]> {
  const ids = typeof deliveryId === "string" ? [deliveryId] : deliveryId;
  if (ids.length === 0) return [];
  const rows =
    await db.all<Raw>(sql`SELECT * FROM (${attemptsOf(sql`SELECT value FROM json_each(${JSON.stringify(ids)})`)})
    ORDER BY attempted_at DESC, seq IS NULL DESC, seq DESC LIMIT ${limit}`);
  return rows.reverse().map((r) => ({
    deliveryId: r.delivery_id,
    attemptedAt: r.attempted_at,
    statusCode: r.status_code,
    durationMs: r.duration_ms,
    outcome: r.outcome,
    error: r.error,
    responseBody: r.response_body,
    waitReason: r.wait_reason,
    nextAttemptAt: r.next_attempt_at,
    detailKey: r.detail_key,
  }));
}
