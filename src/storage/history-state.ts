import { type SQL, sql } from "drizzle-orm";
import { callsStream, STREAM_CONFIRMED } from "./calls-stream";

/**
 * SQL on a call `c`: with a calls stream, true only when the stream has confirmed the call's latest version: its push
 * is confirmed, and it was received within the streamed range (from `history_state.streamed_from`, which also keeps
 * the retention scan off calls stored before the stream, until a backfill covers them). Without a stream, true.
 */
export function streamedCall(env: object): SQL {
  if (!callsStream(env)) return sql`true`;
  return sql`c.received_at >= (SELECT streamed_from FROM history_state WHERE id = 1)
    AND EXISTS (SELECT 1 FROM pushes sp WHERE sp.id = c.push_id AND sp.stream_state = ${STREAM_CONFIRMED})`;
}

/** SQL on a push `p`: with a calls stream, false until it is confirmed (the catch-up and /health need the row). */
export function keptForStream(env: object): SQL {
  if (!callsStream(env)) return sql`true`;
  return sql`(p.stream_state IS NULL OR p.stream_state = ${STREAM_CONFIRMED})`;
}

/**
 * With a calls stream, the statement recording the retention horizon: a call received before it (and within the
 * streamed range) that D1 no longer holds was deleted once confirmed, so it is in history.
 */
export function movedToHistory(env: object, callCutoff: number): SQL[] {
  if (!callsStream(env)) return [];
  return [
    sql`UPDATE history_state SET moved_before = max(coalesce(moved_before, 0), ${callCutoff})
        WHERE id = 1 AND streamed_from IS NOT NULL`,
  ];
}

/**
 * The `details` of a 404 for a call D1 does not hold, when it may have moved to history: the streamed range whose
 * calls retention has deleted (`from` ≤ received < `before`), and where to look. Null when nothing has moved.
 */
export async function movedCallHint(
  env: { DB: D1Database },
  sourceId: string,
  voiceId: string,
): Promise<{ history: { from: number; before: number; sql: string; command: string } } | null> {
  const state = await env.DB.prepare("SELECT streamed_from, moved_before FROM history_state WHERE id = 1")
    .first<{ streamed_from: number | null; moved_before: number | null }>()
    .catch(() => null);
  if (!state || state.streamed_from === null || state.moved_before === null) return null;
  if (state.moved_before <= state.streamed_from) return null;
  const quote = (v: string) => `'${v.replaceAll("'", "''")}'`;
  return {
    history: {
      from: state.streamed_from,
      before: state.moved_before,
      sql: `SELECT * FROM callrelay.calls WHERE source_id = ${quote(sourceId)} AND voice_id = ${quote(voiceId)} ORDER BY version DESC LIMIT 1`,
      command: `npx callrelay calls show ${voiceId} --source ${sourceId} --history`,
    },
  };
}

/** The `history` key of `/health`: is a calls stream bound, what waits for it, and when it last confirmed rows. */
export interface HistoryHealth {
  /** A `CALLS_STREAM` binding exists. */
  configured: boolean;
  /** Pushes whose rows the stream has not confirmed yet, their calls, and the oldest one's arrival (epoch ms). */
  pendingPushes: number;
  pendingRows: number;
  oldestPendingAt: number | null;
  /** Rows never sent because they did not match the stream's schema (their calls are kept in D1). */
  invalidRows: number;
  /** When a send last resolved (epoch ms), and from when on calls are in the stream. */
  lastConfirmedAt: number | null;
  streamedFrom: number | null;
  /** A backfill that has not finished: its `since`. */
  backfillSince: number | null;
}

/** Reads {@link HistoryHealth}: two small reads (the pending pushes come from a partial index). */
export async function historyHealth(env: { DB: D1Database }): Promise<HistoryHealth> {
  const configured = callsStream(env) !== undefined;
  const [pending, state] = await env.DB.batch([
    env.DB.prepare(
      configured
        ? "SELECT count(*) AS pushes, coalesce(sum(accepted), 0) AS rows, min(received_at) AS oldest FROM pushes WHERE stream_state = 0"
        : "SELECT 0 AS pushes, 0 AS rows, NULL AS oldest",
    ),
    env.DB.prepare(
      "SELECT invalid_rows, last_confirmed_at, streamed_from, backfill_since FROM history_state WHERE id = 1",
    ),
  ]);
  const p = pending?.results[0] as { pushes: number; rows: number; oldest: number | null } | undefined;
  const s = state?.results[0] as
    | {
        invalid_rows: number;
        last_confirmed_at: number | null;
        streamed_from: number | null;
        backfill_since: number | null;
      }
    | undefined;
  return {
    configured,
    pendingPushes: p?.pushes ?? 0,
    pendingRows: p?.rows ?? 0,
    oldestPendingAt: p?.oldest ?? null,
    invalidRows: s?.invalid_rows ?? 0,
    lastConfirmedAt: s?.last_confirmed_at ?? null,
    streamedFrom: s?.streamed_from ?? null,
    backfillSince: s?.backfill_since ?? null,
  };
}
