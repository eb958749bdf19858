import { callsStream } from "./stream";

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
