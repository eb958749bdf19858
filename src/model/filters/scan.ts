import { and, desc, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../storage/db/client";
import { calls } from "../../storage/db/schema";
import type { NormalizedCall } from "../calls/fields";
import { normalizedCallColumns } from "../calls/normalized";
import { matchesFilter } from "./evaluate";
import type { Filter } from "./validate";

/** Most calls one page reads to apply a filter expression; then the page ends, maybe short, with a cursor. */
export const MAX_SCANNED_CALLS = 2_000;
const SCAN_CHUNK = 500;

/** Where a page ends: the last call's id, and its call time when the list is ordered by call time. */
export interface CallPosition {
  id: number;
  at?: number;
}

/** Fields compared while scanning, each when given. */
export interface ScanFields {
  intentCode?: string;
  taskId?: number;
}

/** Whether `call` has every field of `fields` that is given. */
function hasFields(fields: ScanFields, call: NormalizedCall): boolean {
  return (
    (fields.intentCode === undefined || call.intentCode === fields.intentCode) &&
    (fields.taskId === undefined || call.taskId === fields.taskId)
  );
}

/** A page of calls and the position to continue below, null at the end. */
export interface CallPage {
  calls: NormalizedCall[];
  next: CallPosition | null;
}

/**
 * Calls matching `where` (SQL), `fields` and `filter` (compared here), newest first, starting below `before`: by id,
 * or with `byCallTime` by the call's own time then id, so a call-time window reads its index range in order
 * rather than every call of the window sorted. Without fields or a filter, one query; with them, chunks of rows until
 * the page is full or {@link MAX_SCANNED_CALLS} rows were read.
 */
export async function scanCalls(
  db: Db,
  opts: {
    where: SQL | undefined;
    fields?: ScanFields;
    filter: Filter | undefined;
    limit: number;
    before: CallPosition | undefined;
    byCallTime?: boolean;
  },
): Promise<CallPage> {
  const { where, filter, fields = {}, limit, byCallTime = false } = opts;
  const scanning = filter !== undefined || fields.intentCode !== undefined || fields.taskId !== undefined;
  const page: NormalizedCall[] = [];
  let position = opts.before;
  let scanned = 0;
  const below = (p: CallPosition) =>
    byCallTime
      ? sql`(${calls.callAt}, ${calls.id}) < (${p.at ?? Number.MAX_SAFE_INTEGER}, ${p.id})`
      : lt(calls.id, p.id);
  for (;;) {
    const take = scanning ? Math.min(SCAN_CHUNK, MAX_SCANNED_CALLS - scanned) : limit + 1;
    const rows = await db
      .select({ rowId: calls.id, callAt: calls.callAt, ...normalizedCallColumns })
      .from(calls)
      .where(and(where, position === undefined ? undefined : below(position)))
      .orderBy(...(byCallTime ? [desc(calls.callAt), desc(calls.id)] : [desc(calls.id)]))
      .limit(take);
    for (const { rowId, callAt, ...call } of rows) {
      if (page.length === limit) return { calls: page, next: position ?? null };
      position = byCallTime ? { id: rowId, at: callAt ?? 0 } : { id: rowId };
      scanned += 1;
      if (hasFields(fields, call) && (!filter || matchesFilter(filter, call))) page.push(call);
    }
    if (rows.length < take) return { calls: page, next: null };
    if (scanned >= MAX_SCANNED_CALLS) return { calls: page, next: position ?? null };
  }
}
