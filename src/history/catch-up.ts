import { readArchive } from "../archive/archive";
import { runBatch } from "../db/batch";
import { parsePushBody } from "../ingest/ingest";
import { pushRows } from "./row";
import { type CallsStream, callsStream, confirmStatements, holdStatements, sendRows } from "./stream";

/** A push's own send gets this long (its `waitUntil`, then its confirmation) before the catch-up sends it again. */
export const CATCH_UP_GRACE_MS = 120_000;
/** Most pending pushes one cron run sends again; the next run takes the rest. */
export const CATCH_UP_PUSHES = 50;

interface PendingPush {
  id: string;
  source_id: string;
  received_at: number;
  archive_key: string | null;
}

/** What one catch-up run did. */
export interface CatchUpResult {
  confirmed: number;
  held: number;
  failed: number;
}

async function resend(env: { DB: D1Database; ARCHIVE: R2Bucket }, stream: CallsStream, push: PendingPush) {
  const archived = push.archive_key === null ? null : await readArchive(env.ARCHIVE, push.archive_key);
  if (archived === null) {
    // The system of record no longer has the body (the archive failed at push time, or expired): the calls stay in
    // D1 and the push is held, reported by /health; `callrelay history backfill` streams the calls' current versions.
    console.error(JSON.stringify({ msg: "pending push has no archived body; held", pushId: push.id }));
    return "held" as const;
  }
  const { calls } = parsePushBody(archived.body, push.source_id, push.received_at);
  const { rows, invalid } = pushRows(calls, push.id);
  if (invalid.length > 0) {
    console.error(
      JSON.stringify({ msg: "rows do not match the schema; push held", pushId: push.id, first: invalid[0] }),
    );
    await runBatch(env.DB, holdStatements(push.id, invalid.length));
    return "held" as const;
  }
  await sendRows(stream, rows);
  return "confirmed" as const;
}

/**
 * Sends again, from the R2 archive (the system of record), the pushes whose rows the stream has not confirmed a
 * couple of minutes after they were stored: their send failed, or the isolate ended before its confirmation was
 * written. Stops at the first failed send (the stream is down: the next run tries again). Without a stream, nothing.
 */
export async function catchUpStream(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  now = Date.now(),
): Promise<CatchUpResult> {
  const result: CatchUpResult = { confirmed: 0, held: 0, failed: 0 };
  const stream = callsStream(env);
  if (!stream) return result;
  const { results } = await env.DB.prepare(
    `SELECT id, source_id, received_at, archive_key FROM pushes
     WHERE stream_state = 0 AND received_at < ? ORDER BY received_at LIMIT ?`,
  )
    .bind(now - CATCH_UP_GRACE_MS, CATCH_UP_PUSHES)
    .all<PendingPush>();
  const confirmed: string[] = [];
  for (const push of results) {
    try {
      const outcome = await resend(env, stream, push);
      if (outcome === "confirmed") confirmed.push(push.id);
      else result.held += 1;
    } catch (err) {
      console.error(
        JSON.stringify({ msg: "stream catch-up failed; next run retries", pushId: push.id, error: String(err) }),
      );
      result.failed += 1;
      break;
    }
  }
  await runBatch(env.DB, confirmStatements(confirmed, now));
  result.confirmed = confirmed.length;
  return result;
}
