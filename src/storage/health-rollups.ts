import { and, asc, gte, inArray, type SQL, sql } from "drizzle-orm";
import { chunkJsonRows } from "./db/batch";
import type { Db } from "./db/client";
import { deliveries, destinationHealth } from "./db/schema";

const HOUR_MS = 3600_000;

/** Upper bounds (ms, inclusive) of the latency histogram's buckets; the last bucket holds everything slower. */
export const LATENCY_BOUNDS = [50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

/** The histogram bucket (0..8) of an attempt that took `ms`. */
export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BOUNDS.length : i;
}

/** One logged attempt, as the health rollups count it. */
export interface HealthAttempt {
  /** The delivery (its destination is read in the statement). */
  id: string;
  attempt: { attemptedAt: number; durationMs: number; outcome: "delivered" | "retry" | "failed" };
}

const buckets = Array.from({ length: LATENCY_BOUNDS.length + 1 }, (_, i) => i);
const latColumns = sql.raw(buckets.map((i) => `lat${i}`).join(", "));
const latSums = sql.raw(buckets.map((i) => `sum(j.b = ${i})`).join(", "));
const latAdds = sql.raw(buckets.map((i) => `lat${i} = lat${i} + excluded.lat${i}`).join(", "));

/**
 * The statements that add a batch's attempts to the hourly destination health rollups: one grouped upsert per
 * chunk of attempts, run in the same D1 batch as the attempts themselves, so the rollups always equal a recount.
 */
export function healthRollupStatements(outcomes: readonly HealthAttempt[]): SQL[] {
  const rows = outcomes.map((o) => ({
    id: o.id,
    h: Math.floor(o.attempt.attemptedAt / HOUR_MS),
    o: o.attempt.outcome,
    ms: o.attempt.durationMs,
    b: latencyBucket(o.attempt.durationMs),
    at: o.attempt.attemptedAt,
  }));
  return chunkJsonRows(rows).map(
    (
      chunk,
    ) => sql`INSERT INTO ${destinationHealth} (destination_id, hour, delivered, failed, retried, duration_ms, ${latColumns}, last_at)
      SELECT d.destination_id, j.h, sum(j.o = 'delivered'), sum(j.o = 'failed'), sum(j.o = 'retry'), sum(j.ms), ${latSums}, max(j.at)
      FROM (SELECT value ->> 'id' AS id, value ->> 'h' AS h, value ->> 'o' AS o, value ->> 'ms' AS ms, value ->> 'b' AS b,
              value ->> 'at' AS at FROM json_each(${chunk})) AS j
        JOIN ${deliveries} AS d ON d.id = j.id
      WHERE true GROUP BY d.destination_id, j.h
      ON CONFLICT (destination_id, hour) DO UPDATE SET delivered = delivered + excluded.delivered,
        failed = failed + excluded.failed, retried = retried + excluded.retried,
        duration_ms = duration_ms + excluded.duration_ms, ${latAdds}, last_at = max(last_at, excluded.last_at)`,
  );
}

/** An hourly health row with its histogram as an array. */
export type HealthHour = {
  destinationId: string;
  hour: number;
  delivered: number;
  failed: number;
  retried: number;
  durationMs: number;
  lastAt: number;
  lat: number[];
};

/** The hourly health rows of some destinations since `since` (ms), oldest first: at most destinations × hours. */
export async function readHealth(db: Db, destinationIds: readonly string[], since: number): Promise<HealthHour[]> {
  if (destinationIds.length === 0) return [];
  const rows = await db
    .select()
    .from(destinationHealth)
    .where(
      and(
        inArray(destinationHealth.destinationId, [...destinationIds]),
        gte(destinationHealth.hour, Math.floor(since / HOUR_MS)),
      ),
    )
    .orderBy(asc(destinationHealth.hour));
  return rows.map((r) => ({
    destinationId: r.destinationId,
    hour: r.hour,
    delivered: r.delivered,
    failed: r.failed,
    retried: r.retried,
    durationMs: r.durationMs,
    lastAt: r.lastAt,
    lat: [r.lat0, r.lat1, r.lat2, r.lat3, r.lat4, r.lat5, r.lat6, r.lat7, r.lat8],
  }));
}
