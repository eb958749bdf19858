import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import type { Db } from "../../storage/db/client";
import { deliveries, destinations } from "../../storage/db/schema";
import { type DeliverySearch, deliveryConditions } from "../../storage/delivery-search";
import type { DeliveryMessage } from "../dispatch/enqueue";
import { notInFlight, type RetryableStatus, retryableStatuses, retryCursor, retryNow } from "./retry-now";

/** Most deliveries one count reports exactly; past it, "more than". */
export const COUNT_CAP = 100_000;

/** Where a bulk retry of a search got to: the destination (by position) and the last delivery sent again there. */
export const bulkRetryCursor = z.object({
  d: z.number().int().min(0),
  createdAt: z.number().int().optional(),
  id: z.string().optional(),
});
export type BulkRetryCursor = z.output<typeof bulkRetryCursor>;

/** The retryable statuses the search selects (all of them when it names none). */
function statusesOf(q: DeliverySearch): RetryableStatus[] {
  const wanted = q.statuses;
  return retryableStatuses.filter((s) => wanted === undefined || wanted.length === 0 || wanted.includes(s));
}

/** The enabled destinations a search covers, in a stable order: a disabled one's deliveries would only pause again. */
async function targets(db: Db, q: DeliverySearch) {
  const rows = await db
    .select({ id: destinations.id })
    .from(destinations)
    .where(
      and(
        eq(destinations.enabled, true),
        q.destinationIds && q.destinationIds.length > 0 ? inArray(destinations.id, [...q.destinationIds]) : undefined,
      ),
    )
    .orderBy(asc(destinations.id))
    .limit(500);
  return rows.map((r) => r.id);
}

/**
 * The count's statement: the search's deliveries of `ids` in `statuses`, not in flight, at most one past
 * {@link COUNT_CAP}. `+destination_id` keeps SQLite off the destination's index, which would walk every delivery the
 * destinations ever had: it reads the statuses' index, only what is retryable.
 */
export function bulkRetryCountQuery(
  q: DeliverySearch,
  ids: readonly string[],
  statuses: readonly RetryableStatus[],
  now: number,
) {
  return sql`SELECT count(*) AS n FROM (SELECT 1 FROM ${deliveries}
    WHERE ${and(
      inArray(sql`+${deliveries.destinationId}`, [...ids]),
      inArray(deliveries.status, [...statuses]),
      notInFlight(now),
      deliveryConditions({ ...q, statuses: undefined, destinationIds: undefined }),
    )} LIMIT ${COUNT_CAP + 1})`;
}

/**
 * How many of the deliveries a search shows a bulk retry would send again now: retryable, of an enabled
 * destination, not in flight. Counted up to {@link COUNT_CAP} (`capped` past it).
 */
export async function bulkRetryCount(db: Db, q: DeliverySearch, now: number) {
  const statuses = statusesOf(q);
  const ids = await targets(db, q);
  if (statuses.length === 0 || ids.length === 0) return { count: 0, capped: false };
  const row = await db.get<{ n: number }>(bulkRetryCountQuery(q, ids, statuses, now));
  const n = row?.n ?? 0;
  return { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/**
 * Sends again one chunk of what a search shows (the bulk retry of one destination at a time), and says where the
 * next chunk starts; `next` is null when every destination is done.
 */
export async function bulkRetryChunk(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue<DeliveryMessage>; SLOW_LANE_QUEUE: Queue<DeliveryMessage> },
  db: Db,
  q: DeliverySearch,
  from: BulkRetryCursor,
  now: number,
) {
  const statuses = statusesOf(q);
  const ids = await targets(db, q);
  const where = deliveryConditions({ ...q, statuses: undefined, destinationIds: undefined });
  let at = from;
  // A destination with nothing to send again costs one statement; carry on to one that has some.
  while (statuses.length > 0 && at !== null) {
    const destinationId = ids[at.d];
    if (destinationId === undefined) break;
    const cursor =
      at.createdAt === undefined || at.id === undefined ? undefined : { createdAt: at.createdAt, id: at.id };
    const { ids: sent, nextCursor } = await retryNow(env, { destinationId, statuses, cursor, where }, now);
    const next: BulkRetryCursor | null =
      nextCursor !== null
        ? { d: at.d, ...cursorParam(retryCursor).parse(nextCursor) }
        : at.d + 1 < ids.length
          ? { d: at.d + 1 }
          : null;
    if (sent.length > 0 || next === null)
      return { retried: sent.length, next: next === null ? null : encodeCursor(next) };
    at = next;
  }
  return { retried: 0, next: null };
}
