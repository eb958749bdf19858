/** The statuses of deliveries still to be sent. */
const WAITING = ["pending", "retrying"] as const;

/**
 * When the longest-waiting delivery still to be sent became due (ms), or null when none waits: indexed rows per
 * status (`deliveries_status_idx`), never a scan. A delivery being attempted (claimed) does not count; one due
 * minutes ago means nothing consumes the queues.
 */
export async function oldestDueAt(d1: D1Database, now = Date.now()): Promise<number | null> {
  const results = await d1.batch<{ due: number }>(
    WAITING.map((status) =>
      d1
        .prepare(
          "SELECT coalesce(next_attempt_at, created_at) AS due FROM deliveries WHERE status = ? AND coalesce(claimed_until, 0) < ? ORDER BY next_attempt_at LIMIT 1",
        )
        .bind(status, now),
    ),
  );
  const dues = results.flatMap((r) => r.results.map((row) => row.due));
  return dues.length === 0 ? null : Math.min(...dues);
}
