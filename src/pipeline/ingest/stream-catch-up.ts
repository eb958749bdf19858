import { and, eq } from "drizzle-orm";
import type { NormalizedCall } from "../../model/calls/fields";
import { normalizedCallColumns } from "../../model/calls/normalized";
import { pushRows } from "../../model/history/row";
import { readArchive } from "../../storage/archive";
import { type CallsStream, callsStream, confirmStatements, holdStatements, sendRows } from "../../storage/calls-stream";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { calls } from "../../storage/db/schema";
import { parsePushBody } from "./ingest";

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

/**
 * The calls of a push as D1 holds them now, for a push whose archived body is gone: those whose latest version it
 * still is (their `received_at` is the push's, so the received-at index finds them). Versions superseded since are
 * in the stream through the pushes that superseded them.
 */
async function storedVersions(d1: D1Database, push: PendingPush): Promise<NormalizedCall[]> {
  const rows = await getDb(d1)
    .select(normalizedCallColumns)
    .from(calls)
    .where(and(eq(calls.receivedAt, push.received_at), eq(calls.pushId, push.id)));
  return rows;
}

async function resend(env: { DB: D1Database; ARCHIVE: R2Bucket }, stream: CallsStream, push: PendingPush) {
  const archived = push.archive_key === null ? null : await readArchive(env.ARCHIVE, push.archive_key);
  // Without its body (the archive failed at push time, or the body expired), the calls' current versions from D1.
  const versions =
    archived === null
      ? await storedVersions(env.DB, push)
      : parsePushBody(archived.body, push.source_id, push.received_at).calls;
  const { rows, invalid } = pushRows(versions, push.id);
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
