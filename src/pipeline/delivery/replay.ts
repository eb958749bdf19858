import { z } from "@hono/zod-openapi";
import { and, gte, lt, sql } from "drizzle-orm";
import { encodeCursor } from "../../lib/cursor";
import { normalizedCallColumns } from "../../model/calls/normalized";
import { matchesFilter } from "../../model/filters/evaluate";
import type { Filter } from "../../model/filters/validate";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { calls, type destinations } from "../../storage/db/schema";
import { planDeliveriesTo } from "../dispatch/plan";

/** Most stored calls one replay request reads; its `nextCursor` continues after them. */
export const REPLAY_SCAN_LIMIT = 2_000;

/** The sort keys of a replay's `nextCursor`: the last call read. */
export const replayCursor = z.object({ receivedAt: z.number().int(), id: z.number().int() });

/** Which stored calls to replay: received in `[since, until)`, after `cursor`, also matching `filter`. */
export interface ReplayWindow {
  since: number;
  until: number;
  filter?: Filter;
  cursor?: z.output<typeof replayCursor>;
}

/**
 * Creates the missing deliveries of stored calls to a destination: calls received in the window, oldest
 * first, from its sources and matching its filter and the window's, that it has no delivery of. Reads at
 * most {@link REPLAY_SCAN_LIMIT} calls; `nextCursor` continues. Returns the new pending deliveries to
 * enqueue; a disabled destination's are paused.
 */
export async function replayCalls(
  d1: D1Database,
  destination: typeof destinations.$inferSelect,
  window: ReplayWindow,
  now: number,
) {
  const { cursor, filter } = window;
  const rows = await getDb(d1)
    .select({ rowId: calls.id, ...normalizedCallColumns })
    .from(calls)
    .where(
      and(
        gte(calls.receivedAt, window.since),
        lt(calls.receivedAt, window.until),
        // `+` keeps SQLite on the received_at index, which also gives the order: no sort of a whole source.
        destination.sourceIds.length > 0 ? inJsonArray(sql`+${calls.sourceId}`, destination.sourceIds) : undefined,
        cursor && sql`(${calls.receivedAt}, ${calls.id}) > (${cursor.receivedAt}, ${cursor.id})`,
      ),
    )
    .orderBy(calls.receivedAt, calls.id)
    .limit(REPLAY_SCAN_LIMIT + 1);
  const page = rows.slice(0, REPLAY_SCAN_LIMIT);
  const last = page.at(-1);
  const nextCursor =
    rows.length > REPLAY_SCAN_LIMIT && last ? encodeCursor({ receivedAt: last.receivedAt, id: last.rowId }) : null;
  const matching = page
    .map(({ rowId: _rowId, ...call }) => call)
    .filter((call) => filter === undefined || matchesFilter(filter, call));
  const plan = planDeliveriesTo([destination], matching, now);
  const results = await runBatch(d1, [...plan.pending, ...plan.paused, ...plan.counts]);
  const created = results.map((r) => (r.results as { id: string }[]).map((row) => row.id));
  const pendingIds = created.slice(0, plan.pending.length).flat();
  return {
    created: created.flat().length,
    scanned: page.length,
    complete: nextCursor === null,
    nextCursor,
    pendingIds,
  };
}
