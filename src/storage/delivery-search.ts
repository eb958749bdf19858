import { and, desc, eq, gte, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { encodeCursor } from "../lib/cursor";
import type { Db } from "./db/client";
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
    some(q.statuses, (s) => inArray(deliveries.status, [...s])),
    some(q.destinationIds, (ids) => inArray(deliveries.destinationId, [...ids])),
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

/** A page of the deliveries a search matches (with their destination's name), newest first, and the next page's cursor. */
export async function searchDeliveries(
  db: Db,
  q: DeliverySearch,
  page: { limit: number; cursor?: { createdAt: number; id: string } },
) {
  const rows = await db
    .select({ delivery: deliveries, destinationName: destinations.name })
    .from(deliveries)
    .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .where(
      and(
        deliveryConditions(q),
        page.cursor && sql`(${deliveries.createdAt}, ${deliveries.id}) < (${page.cursor.createdAt}, ${page.cursor.id})`,
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1)?.delivery;
  return {
    data: shown,
    nextCursor: rows.length > page.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
