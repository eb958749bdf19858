import { and, gte, lt, sql } from "drizzle-orm";
import { AppError } from "../../lib/errors";
import type { NormalizedCall } from "../../model/calls/fields";
import { normalizedCallColumns } from "../../model/calls/normalized";
import { pushRows } from "../../model/history/row";
import { readArchive } from "../../storage/archive";
import { type CallsStream, callsStream, type HistoryRow, sendRows } from "../../storage/calls-stream";
import { getDb } from "../../storage/db/client";
import { calls } from "../../storage/db/schema";
import { parsePushBody } from "./ingest";

/** Most calls one backfill step reads from D1. */
export const BACKFILL_CALLS = 2_000;
/** Most archived push bodies one backfill step reads from R2. */
export const BACKFILL_BODIES = 20;

const ARCHIVE_PREFIX = "raw/";

/** Where a backfill stopped: in the archive (after a key) or in D1 (after a call), and where the archive part ends. */
type Cursor =
  | { phase: "archive"; after: string | null; archiveUntil: number }
  | { phase: "d1"; receivedAt: number; id: number };

/** What one step of a backfill did, and where the whole run stands. */
export interface BackfillStep {
  since: number;
  until: number;
  phase: "archive" | "d1" | "done";
  sent: number;
  invalid: number;
  scanned: number;
  /** Received time of the last call or push the step covered (epoch ms), for progress. */
  through: number | null;
  complete: boolean;
}

interface State {
  streamed_from: number | null;
  backfill_since: number | null;
  backfill_until: number | null;
  backfill_cursor: string | null;
}

const DAY = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function oldestStoredCall(d1: D1Database): Promise<number | null> {
  const row = await d1.prepare("SELECT min(received_at) AS at FROM calls").first<{ at: number | null }>();
  return row?.at ?? null;
}

/** Versions of pushes archived in [since, archiveUntil): their calls are no longer in D1. */
async function archiveStep(
  env: { ARCHIVE: R2Bucket },
  since: number,
  cursor: Extract<Cursor, { phase: "archive" }>,
): Promise<{ rows: HistoryRow[]; invalid: number; scanned: number; through: number | null; next: Cursor | null }> {
  const listed = await env.ARCHIVE.list({
    prefix: ARCHIVE_PREFIX,
    startAfter: cursor.after ?? `${ARCHIVE_PREFIX}${DAY(since)}`,
    limit: BACKFILL_BODIES,
    include: ["customMetadata"],
  });
  const rows: HistoryRow[] = [];
  let invalid = 0;
  let through: number | null = null;
  let lastKey = cursor.after;
  let reachedEnd = !listed.truncated;
  for (const object of listed.objects) {
    if (object.key.slice(ARCHIVE_PREFIX.length, ARCHIVE_PREFIX.length + 10) > DAY(cursor.archiveUntil)) {
      reachedEnd = true;
      break;
    }
    lastKey = object.key;
    const receivedAt = Number(object.customMetadata?.receivedAt);
    if (!(receivedAt >= since && receivedAt < cursor.archiveUntil)) continue;
    const archived = await readArchive(env.ARCHIVE, object.key);
    if (archived === null) continue;
    let parsed: NormalizedCall[];
    try {
      parsed = parsePushBody(archived.body, archived.push.sourceId, archived.push.receivedAt).calls;
    } catch (err) {
      if (err instanceof AppError) continue; // an unreadable body stored no calls
      throw err;
    }
    const out = pushRows(parsed, archived.push.pushId);
    rows.push(...out.rows);
    invalid += out.invalid.length;
    through = receivedAt;
  }
  const next: Cursor | null = reachedEnd ? null : { ...cursor, after: lastKey };
  return { rows, invalid, scanned: listed.objects.length, through, next };
}

/** Current versions of calls D1 holds, received in [since, until), after the cursor. */
async function d1Step(d1: D1Database, since: number, until: number, cursor: Extract<Cursor, { phase: "d1" }> | null) {
  const found = await getDb(d1)
    .select({ rowId: calls.id, pushId: calls.pushId, ...normalizedCallColumns })
    .from(calls)
    .where(
      and(
        gte(calls.receivedAt, since),
        lt(calls.receivedAt, until),
        cursor ? sql`(${calls.receivedAt}, ${calls.id}) > (${cursor.receivedAt}, ${cursor.id})` : undefined,
      ),
    )
    .orderBy(calls.receivedAt, calls.id)
    .limit(BACKFILL_CALLS);
  const rows: HistoryRow[] = [];
  let invalid = 0;
  for (const { rowId: _rowId, pushId, ...call } of found) {
    const out = pushRows([call], pushId);
    rows.push(...out.rows);
    invalid += out.invalid.length;
  }
  const last = found.at(-1);
  const next: Cursor | null =
    found.length === BACKFILL_CALLS && last ? { phase: "d1", receivedAt: last.receivedAt, id: last.rowId } : null;
  const pushIds = [...new Set(found.map((c) => c.pushId))];
  return { rows, invalid, scanned: found.length, through: last?.receivedAt ?? null, next, pushIds };
}

/**
 * One step of a backfill: streams calls stored before the stream covered them, oldest first, and records where it
 * stopped, so the next step (or a new run with the same `since`) goes on from there. First the pushes archived in R2
 * whose calls D1 no longer holds (older than D1's oldest call), then the calls D1 holds, up to where live streaming
 * began. When done, the streamed range starts at `since`: running it again sends nothing, and retention may delete
 * those calls. A step that fails part-way is sent again by the next (rows may repeat; no row is missed).
 */
export async function backfillStep(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  since: number,
  now = Date.now(),
): Promise<BackfillStep> {
  const stream = callsStream(env);
  if (!stream)
    throw new AppError("conflict", "No calls stream is bound (CALLS_STREAM): there is nowhere to backfill to");
  const state =
    (await env.DB.prepare(
      "SELECT streamed_from, backfill_since, backfill_until, backfill_cursor FROM history_state WHERE id = 1",
    ).first<State>()) ??
    ({ streamed_from: null, backfill_since: null, backfill_until: null, backfill_cursor: null } as State);
  const resuming = state.backfill_since === since && state.backfill_until !== null;
  const until = resuming ? (state.backfill_until as number) : (state.streamed_from ?? now);
  if (since >= until) {
    return { since, until, phase: "done", sent: 0, invalid: 0, scanned: 0, through: null, complete: true };
  }
  let cursor: Cursor | null = resuming && state.backfill_cursor ? (JSON.parse(state.backfill_cursor) as Cursor) : null;
  if (cursor === null) {
    const oldest = (await oldestStoredCall(env.DB)) ?? until;
    cursor = since < oldest ? { phase: "archive", after: null, archiveUntil: Math.min(oldest, until) } : null;
  }
  const step =
    cursor?.phase === "archive"
      ? { ...(await archiveStep(env, since, cursor)), pushIds: [] as string[], phase: "archive" as const }
      : { ...(await d1Step(env.DB, since, until, cursor)), phase: "d1" as const };
  await sendRows(stream as CallsStream, step.rows);
  const next: Cursor | null =
    step.next ?? (step.phase === "archive" ? { phase: "d1", receivedAt: since, id: 0 } : null);
  const complete = next === null;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO history_state (id, invalid_rows, backfill_since, backfill_until, backfill_cursor, streamed_from)
       VALUES (1, ?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (id) DO UPDATE SET invalid_rows = invalid_rows + ?1, backfill_since = ?2, backfill_until = ?3,
         backfill_cursor = ?4, streamed_from = coalesce(?5, streamed_from)`,
    ).bind(
      step.invalid,
      complete ? null : since,
      complete ? null : until,
      complete ? null : JSON.stringify(next),
      complete ? since : null,
    ),
    // Pushes stored before the stream whose calls' current versions are now in it: retention may delete them.
    env.DB.prepare(
      "UPDATE pushes SET stream_state = 1 WHERE id IN (SELECT value FROM json_each(?)) AND stream_state IS NULL",
    ).bind(JSON.stringify(step.pushIds)),
  ]);
  return {
    since,
    until,
    phase: complete ? "done" : (next?.phase ?? "done"),
    sent: step.rows.length,
    invalid: step.invalid,
    scanned: step.scanned,
    through: step.through,
    complete,
  };
}
