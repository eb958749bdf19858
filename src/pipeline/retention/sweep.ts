import { sql } from "drizzle-orm";
import { getConfig } from "../../lib/config";
import { describeError } from "../../lib/log-error";
import { expireArchive, QUEUED_PREFIX, RAW_PREFIX, SET_ASIDE_PREFIX } from "../../storage/archive";
import { ATTEMPTS_PREFIX } from "../../storage/attempt-details";
import { runBatch } from "../../storage/db/batch";
import {
  callRollups,
  deliveryRollups,
  destinationHealth,
  pushRollups,
  taskCostRollups,
  taskRollups,
} from "../../storage/db/schema";
import { keptForStream, movedToHistory, streamedCall } from "../../storage/history-state";
import { hourOf } from "../../storage/hours";
import { recordStorageSize } from "../../storage/usage";

/**
 * Most rows one sweep deletes from each table; the next sweep (a minute later) goes on. 5,000 a minute is
 * 300,000 an hour, three times a 100,000-calls-an-hour operation (`npm run bench:storage` times a sweep).
 */
export const RETENTION_CHUNK = 5_000;

const DAY_MS = 86_400_000;

/** Hourly rollups, kept `STATS_RETENTION_DAYS` (deleting calls or deliveries never changes them). */
const rollupTables = [callRollups, taskRollups, taskCostRollups, pushRollups, deliveryRollups, destinationHealth];

/** What one sweep deleted, by table. */
export interface RetentionResult {
  archivedBodies: number;
  /** Objects of attempts in full (requests as sent and answers), one per consumer batch. */
  attemptDetails: number;
  pushBodies: number;
  pushes: number;
  rollups: number;
  calls: number;
  deliveries: number;
  deliveryAttempts: number;
  /** Events, with their deliveries and attempts, and spent claims and idle debounce gates. */
  events: number;
}

/**
 * Deletes what is past its retention, at most {@link RETENTION_CHUNK} rows per table, in one atomic batch:
 * - archived push bodies (R2) of days before `RAW_RETENTION_DAYS` ago (up to 1,000 a sweep), except those of
 *   pushes still queued for D1 or set aside, and legacy bodies still in D1's `push_bodies` older than that;
 * - attempts in full (R2, `attempts/`) of days before `RAW_RETENTION_DAYS` ago (up to 1,000 objects a sweep);
 * - calls last received more than `CALL_RETENTION_DAYS` ago, with their deliveries and attempts, unless a
 *   delivery of the call is still `pending` or `retrying` (then the whole call waits for a later sweep), or, with a
 *   calls stream, unless the stream has not confirmed the call's latest version (`streamedCall`);
 * - push log rows older than `CALL_RETENTION_DAYS` whose body is gone, unless the push is set aside (unresolved);
 * - stats and destination-health rollups of hours more than `STATS_RETENTION_DAYS` ago (deleting calls never
 *   changes them);
 * - events older than `CALL_RETENTION_DAYS` with their deliveries and attempts (unless one is still in flight),
 *   their once-only claims, and debounce gates that hold nothing and last fired that long ago.
 * Then records the database size D1 reports after the batch (the storage watchdog).
 * A call's attempts go first, then its deliveries, then the call, each only once nothing refers to it.
 */
export async function sweepRetention(env: Env, now = Date.now()): Promise<RetentionResult> {
  const { rawRetentionDays, callRetentionDays, statsRetentionDays } = getConfig(env);
  const statsCutoffHour = hourOf(now - statsRetentionDays * DAY_MS);
  const rawCutoff = now - rawRetentionDays * DAY_MS;
  const callCutoff = now - callRetentionDays * DAY_MS;
  const streamed = streamedCall(env);
  const expiredCall = sql`c.received_at < ${callCutoff} AND ${streamed} AND NOT EXISTS (
    SELECT 1 FROM deliveries busy
    WHERE busy.source_id = c.source_id AND busy.voice_id = c.voice_id AND busy.status IN ('pending', 'retrying'))`;
  const pinnedBy = [QUEUED_PREFIX, SET_ASIDE_PREFIX];
  const expire = (prefix: string, pins: readonly string[]) =>
    expireArchive(env.ARCHIVE, rawCutoff, pins, prefix).catch((err: unknown) => {
      console.error(JSON.stringify({ msg: "archive expiry failed", prefix, error: describeError(err) }));
      return 0;
    });
  const archivedBodies = await expire(RAW_PREFIX, pinnedBy);
  const attemptDetails = await expire(ATTEMPTS_PREFIX, []);
  const expiredEvent = sql`e.created_at < ${callCutoff} AND NOT EXISTS (
    SELECT 1 FROM deliveries busy
    WHERE busy.source_id = '' AND busy.voice_id = e.id AND busy.status IN ('pending', 'retrying'))`;
  const results = await runBatch(env.DB, [
    sql`DELETE FROM delivery_attempts WHERE id IN (
      SELECT a.id FROM calls c
      JOIN deliveries d ON d.source_id = c.source_id AND d.voice_id = c.voice_id
      JOIN delivery_attempts a ON a.delivery_id = d.id
      WHERE ${expiredCall} ORDER BY c.received_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM deliveries WHERE id IN (
      SELECT d.id FROM calls c
      JOIN deliveries d ON d.source_id = c.source_id AND d.voice_id = c.voice_id
      WHERE ${expiredCall} AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = d.id)
      ORDER BY c.received_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM calls WHERE id IN (
      SELECT c.id FROM calls c
      WHERE c.received_at < ${callCutoff} AND ${streamed}
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.source_id = c.source_id AND d.voice_id = c.voice_id)
      ORDER BY c.received_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM push_bodies WHERE rowid IN (
      SELECT b.rowid FROM pushes p JOIN push_bodies b ON b.push_id = p.id
      WHERE p.received_at < ${rawCutoff} ORDER BY p.received_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM pushes WHERE id IN (
      SELECT p.id FROM pushes p
      WHERE p.received_at < ${callCutoff} AND p.status <> 'set_aside'
        AND NOT EXISTS (SELECT 1 FROM push_bodies b WHERE b.push_id = p.id)
        AND ${keptForStream(env)}
      ORDER BY p.received_at LIMIT ${RETENTION_CHUNK})`,
    ...rollupTables.map(
      (table) =>
        sql`DELETE FROM ${table} WHERE rowid IN (
          SELECT rowid FROM ${table} WHERE ${table.hour} < ${statsCutoffHour} LIMIT ${RETENTION_CHUNK})`,
    ),
    sql`DELETE FROM delivery_attempts WHERE id IN (
      SELECT a.id FROM events e
      JOIN deliveries d ON d.source_id = '' AND d.voice_id = e.id
      JOIN delivery_attempts a ON a.delivery_id = d.id
      WHERE ${expiredEvent} ORDER BY e.created_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM deliveries WHERE id IN (
      SELECT d.id FROM events e JOIN deliveries d ON d.source_id = '' AND d.voice_id = e.id
      WHERE ${expiredEvent} AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = d.id)
      ORDER BY e.created_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM events WHERE id IN (
      SELECT e.id FROM events e
      WHERE e.created_at < ${callCutoff}
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.source_id = '' AND d.voice_id = e.id)
      ORDER BY e.created_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM event_claims WHERE key IN (
      SELECT key FROM event_claims WHERE claimed_at < ${callCutoff} ORDER BY claimed_at LIMIT ${RETENTION_CHUNK})`,
    sql`DELETE FROM event_gates WHERE key IN (
      SELECT key FROM event_gates WHERE pending = 0 AND sent_at < ${callCutoff} LIMIT ${RETENTION_CHUNK})`,
    ...movedToHistory(env, callCutoff),
  ]);
  await recordStorageSize(env.DB, results, now);
  const changes = results.map((r) => r.meta.changes ?? 0);
  const [deliveryAttempts, deliveries, calls, pushBodies, pushes] = changes;
  const rollups = changes.slice(5, 5 + rollupTables.length);
  const events = changes.slice(5 + rollupTables.length, 10 + rollupTables.length);
  const deleted = {
    archivedBodies,
    attemptDetails,
    pushBodies: pushBodies ?? 0,
    pushes: pushes ?? 0,
    rollups: rollups.reduce((sum, n) => sum + n, 0),
    calls: calls ?? 0,
    deliveries: deliveries ?? 0,
    deliveryAttempts: deliveryAttempts ?? 0,
    events: events.reduce((sum, n) => sum + n, 0),
  };
  if (Object.values(deleted).some((n) => n > 0)) console.log(JSON.stringify({ msg: "retention sweep", ...deleted }));
  return deleted;
}
