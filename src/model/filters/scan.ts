import { and, asc, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
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
  /** Any of these intent codes (the console's list). */
  intentCodes?: readonly string[];
  taskId?: number;
}

const given = (fields: ScanFields) =>
  fields.intentCode !== undefined || (fields.intentCodes?.length ?? 0) > 0 || fields.taskId !== undefined;

/** Whether `call` has every field of `fields` that is given. */
function hasFields(fields: ScanFields, call: NormalizedCall): boolean {
  return (
    (fields.intentCode === undefined || call.intentCode === fields.intentCode) &&
    (!fields.intentCodes?.length || (call.intentCode !== null && fields.intentCodes.includes(call.intentCode))) &&
    (fields.taskId === undefined || call.taskId === fields.taskId)
  );
}

/** {@link hasFields} as SQL, for the window of a scan without a filter expression. */
function fieldConditions(fields: ScanFields): SQL | undefined {
  return and(
    fields.intentCode === undefined ? undefined : eq(calls.intentCode, fields.intentCode),
    fields.intentCodes?.length ? inArray(calls.intentCode, [...fields.intentCodes]) : undefined,
    fields.taskId === undefined ? undefined : eq(calls.taskId, fields.taskId),
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
 * the page is full or {@link MAX_SCANNED_CALLS} rows were read; with fields and no filter, those rows are compared in
 * D1 (one round trip, only the page's own rows sent back).
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
  const scanning = filter !== undefined || given(fields);
  if (scanning && filter === undefined) return scanWindow(db, { ...opts, fields });
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

/**
 * A scan for fields without a filter expression, in D1: of the next {@link MAX_SCANNED_CALLS} calls below `before`
 * (ids, and call times, from the table or the call-time index), the first `limit` with the fields, as full rows;
 * and where the window ends, for the cursor when the page is not full. The same page the chunked scan makes.
 */
async function scanWindow(
  db: Db,
  opts: {
    where: SQL | undefined;
    fields: ScanFields;
    limit: number;
    before: CallPosition | undefined;
    byCallTime?: boolean;
  },
): Promise<CallPage> {
  const { where, fields, limit, before, byCallTime = false } = opts;
  const below = (p: CallPosition) =>
    byCallTime
      ? sql`(${calls.callAt}, ${calls.id}) < (${p.at ?? Number.MAX_SAFE_INTEGER}, ${p.id})`
      : lt(calls.id, p.id);
  const newestFirst = byCallTime ? [desc(calls.callAt), desc(calls.id)] : [desc(calls.id)];
  const window = db
    .select({ id: calls.id })
    .from(calls)
    .where(and(where, before === undefined ? undefined : below(before)))
    .orderBy(...newestFirst)
    .limit(MAX_SCANNED_CALLS);
  const [rows, ends] = await db.batch([
    db
      .select({ rowId: calls.id, callAt: calls.callAt, ...normalizedCallColumns })
      .from(calls)
      .where(and(inArray(calls.id, window), fieldConditions(fields)))
      .orderBy(...newestFirst)
      .limit(limit + 1),
    db
      .select({ id: calls.id, callAt: calls.callAt, scanned: sql<number>`count(*) OVER ()`.mapWith(Number) })
      .from(calls)
      .where(inArray(calls.id, window))
      .orderBy(...(byCallTime ? [asc(calls.callAt), asc(calls.id)] : [asc(calls.id)]))
      .limit(1),
  ]);
  const position = (id: number, at: number | null): CallPosition => (byCallTime ? { id, at: at ?? 0 } : { id });
  const page: NormalizedCall[] = [];
  let next: CallPosition | null = null;
  for (const { rowId, callAt, ...call } of rows) {
    if (page.length === limit) return { calls: page, next };
    page.push(call);
    next = position(rowId, callAt);
  }
  const end = ends[0];
  if (!end || end.scanned < MAX_SCANNED_CALLS) return { calls: page, next: null };
  return { calls: page, next: position(end.id, end.callAt) };
}
