import { type SQL, sql } from "drizzle-orm";
import { chunkJsonRows } from "./db/batch";
import { deliveries, deliveryRollups } from "./db/schema";

/**
 * The delivery rollups (`delivery_rollups`: deliveries per hour created, destination, source and current status) are
 * kept by grouped statements in the same D1 batch as the writes they count, one per batch rather than a trigger per
 * row (migration `deliveries_write_less` dropped the triggers): a trigger wrote two rollup rows per status change, so
 * about three per delivery; a batch's statement writes one per key it touches.
 */

const upsert = (rows: SQL) =>
  sql`INSERT INTO ${deliveryRollups} (hour, destination_id, source_id, status, count)
    SELECT hour, destination_id, source_id, status, sum(n) FROM (${rows}) WHERE true
    GROUP BY hour, destination_id, source_id, status HAVING sum(n) != 0
    ON CONFLICT (hour, destination_id, source_id, status) DO UPDATE SET count = count + excluded.count`;

/**
 * Counts the deliveries with these ids, as they are now: put it in the batch after their inserts (an insert that
 * was ignored, or guarded off, left no row with its id, so nothing is counted for it).
 */
export function countInserted(ids: readonly string[]): SQL[] {
  return chunkJsonRows(ids).map((json) =>
    upsert(sql`SELECT created_at / 3600000 AS hour, destination_id, source_id, status, 1 AS n FROM ${deliveries}
      WHERE id IN (SELECT value FROM json_each(${json}))`),
  );
}

/**
 * Moves the counts of the deliveries `rows` selects to their new status. `rows` is a SELECT over `deliveries` (as
 * `d`) answering `d.*` columns and `new_status`; put the statement in the batch just before the update that changes
 * them, selecting exactly the rows (and statuses) that update will write.
 */
export function moveCounts(rows: SQL): SQL {
  return upsert(sql`SELECT d.created_at / 3600000 AS hour, d.destination_id, d.source_id, d.status, -1 AS n
      FROM (${rows}) AS d
    UNION ALL SELECT d.created_at / 3600000, d.destination_id, d.source_id, d.new_status, 1 FROM (${rows}) AS d`);
}

/**
 * {@link moveCounts} for an update by id and attempt count (`updateJsonRows` matching `{ id, attempts }`), each
 * delivery to its own status.
 */
export function moveCountsOf(rows: readonly { id: string; attempts: number; status: string }[]): SQL[] {
  return chunkJsonRows(rows.map((r) => [r.id, r.attempts, r.status])).map((json) =>
    moveCounts(sql`SELECT ${deliveries}.*, j.value ->> '$[2]' AS new_status FROM json_each(${json}) AS j
      JOIN ${deliveries} ON ${deliveries}.id = j.value ->> '$[0]' AND ${deliveries}.attempts = j.value ->> '$[1]'`),
  );
}
