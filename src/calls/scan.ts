import { and, desc, lt, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { calls } from "../db/schema";
import { matchesFilter } from "../filters/evaluate";
import type { Filter } from "../filters/validate";
import type { NormalizedCall } from "../ingest/fields";
import { normalizedCallColumns } from "./normalized";

/** Most calls one page reads to apply a filter expression; then the page ends, maybe short, with a cursor. */
export const MAX_SCANNED_CALLS = 2_000;
const SCAN_CHUNK = 500;

/** A page of calls and the id to continue below, null at the end. */
export interface CallPage {
  calls: NormalizedCall[];
  next: number | null;
}

/**
 * Calls matching `where` (SQL) and `filter` (evaluated here), newest first by id, starting below `before`.
 * Without a filter, one query; with one, chunks of rows until the page is full or {@link MAX_SCANNED_CALLS}
 * rows were read.
 */
export async function scanCalls(
  db: Db,
  opts: { where: SQL | undefined; filter: Filter | undefined; limit: number; before: number | undefined },
): Promise<CallPage> {
  const { where, filter, limit } = opts;
  const page: NormalizedCall[] = [];
  let position = opts.before;
  let scanned = 0;
  for (;;) {
    const take = filter ? Math.min(SCAN_CHUNK, MAX_SCANNED_CALLS - scanned) : limit + 1;
    const rows = await db
      .select({ rowId: calls.id, ...normalizedCallColumns })
      .from(calls)
      .where(and(where, position === undefined ? undefined : lt(calls.id, position)))
      .orderBy(desc(calls.id))
      .limit(take);
    for (const { rowId, ...call } of rows) {
      if (page.length === limit) return { calls: page, next: position ?? null };
      position = rowId;
      scanned += 1;
      if (!filter || matchesFilter(filter, call)) page.push(call);
    }
    if (rows.length < take) return { calls: page, next: null };
    if (scanned >= MAX_SCANNED_CALLS) return { calls: page, next: position ?? null };
  }
}
