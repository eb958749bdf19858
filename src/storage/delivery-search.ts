import { z } from "@hono/zod-openapi";
import { and, eq, gte, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { encodeCursor } from "../lib/cursor";
import type { Db } from "./db/client";
import { inJsonArray } from "./db/json-ids";
import { calls, type DeliveryStatus, deliveries, destinations, events } from "./db/schema";

/** Classes of the receiver's last HTTP status; `none`: no answer (a timeout, a network error, or not tried yet). */
export const httpClasses = ["2xx", "3xx", "4xx", "5xx", "none"] as const;
export type HttpClass = (typeof httpClasses)[number];

/** A deliveries search, resolved: every list is "any of", every field "all of"; times are epoch ms. */
export interface DeliverySearch {
  statuses?: readonly DeliveryStatus[];
  destinationIds?: readonly string[];
  httpClasses?: readonly HttpClass[];
  eventTypes?: readonly string[];
  since?: number;
  until?: number;
  voiceId?: string;
  /** Reversed digits of the callee's number or its tail, as `calls.callee_key` holds them. */
  calleeKey?: string;
}

/** Calls one phone search may match; their deliveries are what a phone filter shows. */
const MAX_PHONE_CALLS = 1000;

const some = <T>(list: readonly T[] | undefined, condition: (list: readonly T[]) => SQL | undefined) =>
  list === undefined || list.length === 0 ? undefined : condition(list);

/** The search as one SQL condition on `deliveries` (bounded subqueries for event types and phone numbers). */
export function deliveryConditions(q: DeliverySearch): SQL | undefined {
  return and(
    // `+`: compared while reading the page's rowid window; an index range of one status or destination could be
    // every delivery it ever had.
    some(q.statuses, (s) => inJsonArray(sql`+${deliveries.status}`, s)),
    some(q.destinationIds, (ids) => inJsonArray(sql`+${deliveries.destinationId}`, ids)),
    some(q.httpClasses, (classes) =>
      or(
        ...classes.map((c) => {
          if (c === "none") return isNull(deliveries.lastStatusCode);
          const floor = Number(c[0]) * 100;
          return and(gte(deliveries.lastStatusCode, floor), lt(deliveries.lastStatusCode, floor + 100));
        }),
      ),
    ),
    some(q.eventTypes, (types) => {
      const others = types.filter((t) => t !== "call.reported");
      return or(
        types.includes("call.reported") ? isNull(deliveries.eventId) : undefined,
        others.length === 0
          ? undefined
          : sql`${deliveries.eventId} IN (SELECT ${events.id} FROM ${events} WHERE ${inArray(events.type, others)})`,
      );
    }),
    q.since === undefined ? undefined : gte(deliveries.createdAt, q.since),
    q.until === undefined ? undefined : lt(deliveries.createdAt, q.until),
    q.voiceId === undefined ? undefined : eq(deliveries.voiceId, q.voiceId),
    q.calleeKey === undefined
      ? undefined
      : sql`(${deliveries.sourceId}, ${deliveries.voiceId}) IN (SELECT ${calls.sourceId}, ${calls.voiceId} FROM ${calls}
          WHERE ${calls.calleeKey} >= ${q.calleeKey} AND ${calls.calleeKey} < ${`${q.calleeKey}:`} LIMIT ${MAX_PHONE_CALLS})`,
  );
}

/** Rows one page of a search reads at most, newest first: the list has no index but its rowid (insertion order). */
export const MAX_SCANNED_DELIVERIES = 2_000;

/** Where the next page of a search starts: below this rowid. */
export const deliveryCursor = z.object({ row: z.number().int() });
export type DeliveryCursor = z.output<typeof deliveryCursor>;

/**
 * A page of the deliveries a search matches (with their destination's name), newest first (insertion order), and the
 * next page's cursor. It reads at most {@link MAX_SCANNED_DELIVERIES} rows below the cursor, whatever the search (the
 * deliveries carry no list index: each would be a row written per delivery), so a page can hold fewer than `limit`
 * deliveries, even none, and still have a `nextCursor`; counts come from the rollups (`/stats`).
 */
export async function searchDeliveries(db: Db, q: DeliverySearch, page: { limit: number; cursor?: DeliveryCursor }) {
  const below = page.cursor === undefined ? sql`` : sql`WHERE rowid < ${page.cursor.row}`;
  // The lowest rowid of the window this page may read (null when fewer rows are left than a window holds).
  const windowFloor = sql`(SELECT rowid FROM ${deliveries} ${below} ORDER BY rowid DESC LIMIT 1 OFFSET ${MAX_SCANNED_DELIVERIES - 1})`;
  const rows = await db
    .select({
      row: sql<number>`${deliveries}.rowid`,
      floor: sql<number | null>`${windowFloor}`,
      delivery: deliveries,
      destinationName: destinations.name,
    })
    .from(deliveries)
    .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .where(
      and(
        deliveryConditions(q),
        page.cursor && sql`${deliveries}.rowid < ${page.cursor.row}`,
        sql`${deliveries}.rowid >= coalesce(${windowFloor}, 0)`,
      ),
    )
    .orderBy(sql`${deliveries}.rowid DESC`)
    .limit(page.limit + 1);
  // No match in the window: where it ends is read on its own (one more indexed read).
  const floor =
    rows.length > 0
      ? (rows[0]?.floor ?? null)
      : ((await db.get<{ floor: number | null }>(sql`SELECT ${windowFloor} AS floor`))?.floor ?? null);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  const next = rows.length > page.limit && last ? last.row : floor;
  return {
    data: shown.map(({ delivery, destinationName }) => ({ delivery, destinationName })),
    nextCursor: next === null ? null : encodeCursor({ row: next }),
  };
}
