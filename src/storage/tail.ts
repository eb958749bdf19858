import { desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "./db/client";
import { type DeliveryStatus, deliveries, destinations, pushes } from "./db/schema";

/**
 * Where a tail stands: the highest push rowid it has read, and the delivery rowid after which it reads again
 * (below the oldest delivery it showed that was still pending or retrying, so that one's outcome shows up).
 */
export interface TailCursor {
  p: number;
  d: number;
}

/** Most rows of each kind one read returns: a burst larger than this between two reads shows its newest. */
export const TAIL_LIMIT = 50;

const unsettled: readonly DeliveryStatus[] = ["pending", "retrying"];

const pushRowid = sql<number>`${pushes}.rowid`.mapWith(Number);
const deliveryRowid = sql<number>`${deliveries}.rowid`.mapWith(Number);

/**
 * The two reads of a tail: pushes and deliveries stored after `after`, newest first, at most {@link TAIL_LIMIT} of
 * each. Both read a rowid range of their table's own b-tree (insertion order, so a push ingested late from the
 * queue still shows), never an index another change could drop, never a scan.
 */
export function tailQueries(db: Db, after: TailCursor) {
  return [
    db
      .select({
        rowid: pushRowid,
        id: pushes.id,
        sourceId: pushes.sourceId,
        receivedAt: pushes.receivedAt,
        status: pushes.status,
        accepted: pushes.accepted,
        rejectedCount: pushes.rejectedCount,
      })
      .from(pushes)
      .where(gt(pushRowid, after.p))
      .orderBy(desc(pushRowid))
      .limit(TAIL_LIMIT),
    db
      .select({
        rowid: deliveryRowid,
        id: deliveries.id,
        destinationId: deliveries.destinationId,
        destinationName: destinations.name,
        sourceId: deliveries.sourceId,
        voiceId: deliveries.voiceId,
        eventId: deliveries.eventId,
        status: deliveries.status,
        attempts: deliveries.attempts,
        lastStatusCode: deliveries.lastStatusCode,
        lastError: deliveries.lastError,
        createdAt: deliveries.createdAt,
      })
      .from(deliveries)
      .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
      .where(gt(deliveryRowid, after.d))
      .orderBy(desc(deliveryRowid))
      .limit(TAIL_LIMIT),
  ] as const;
}

/** {@link tailQueries} in one round trip, and where the next read starts. */
export async function readTail(db: Db, after: TailCursor) {
  const [pushRows, deliveryRows] = await db.batch(tailQueries(db, after));
  return { pushes: pushRows, deliveries: deliveryRows, next: nextTailCursor(after, pushRows, deliveryRows) };
}

/**
 * Where the next read starts: past every push read; past every delivery read unless one is still pending or
 * retrying, then just below the oldest such one, so it is read again until it settles. Never moves backwards.
 */
export function nextTailCursor(
  after: TailCursor,
  pushRows: readonly { rowid: number }[],
  deliveryRows: readonly { rowid: number; status: DeliveryStatus }[],
): TailCursor {
  const open = deliveryRows.filter((d) => unsettled.includes(d.status)).map((d) => d.rowid);
  return {
    p: Math.max(after.p, ...pushRows.map((r) => r.rowid)),
    d:
      open.length > 0
        ? Math.max(after.d, Math.min(...open) - 1)
        : Math.max(after.d, ...deliveryRows.map((r) => r.rowid)),
  };
}
