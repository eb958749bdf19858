import { eq, type SQL, sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { NormalizedCall } from "../../model/calls/fields";
import { type ForwardTarget, forwardDecision } from "../../model/filters/forward";
import { insertJsonRows } from "../../storage/db/batch";
import type { Db } from "../../storage/db/client";
import { deliveries, destinations, destinationsVersion } from "../../storage/db/schema";
import { countInserted } from "../../storage/delivery-rollups";
import { QUEUE_GRACE_MS } from "./enqueue";

/** The fields of a delivery (re)queued at `now`: due at once, left to the queue for {@link QUEUE_GRACE_MS}. */
export function pendingFields(now: number) {
  return { status: "pending", nextAttemptAt: now, leaseUntil: now + QUEUE_GRACE_MS } as const;
}

/** The delivery inserts a push adds to its batch. */
export interface DeliveryPlan {
  /** Inserts of `pending` deliveries, each `RETURNING id` for the rows actually created. */
  pending: SQL[];
  /** Inserts of `paused` deliveries (their destination is disabled), each `RETURNING id` too. */
  paused: SQL[];
  /** The delivery rollups of what the inserts created: after them in the same batch. */
  counts: SQL[];
}

/** What planning needs of a destination. */
export interface DeliveryTarget extends ForwardTarget {
  id: string;
}

/** The destinations deliveries are planned from, as of `version` of `destinations_version`. */
export interface TargetsSnapshot {
  version: number;
  targets: DeliveryTarget[];
  readAt: number;
}

/**
 * Longest a push plans from this isolate's cached destinations before reading them again (the version check in
 * its batch catches every change sooner; this only bounds how long a cache lives).
 */
export const TARGETS_MAX_AGE_MS = 60_000;
let cachedTargets: TargetsSnapshot | undefined;

/** The current version of the destinations, as a SQL expression. */
const versionSql = sql<number>`ifnull((SELECT ${destinationsVersion.version} FROM ${destinationsVersion} WHERE ${destinationsVersion.id} = 1), 0)`;

/** A statement for a push's batch that answers the destinations' version at commit. */
export const versionCheck = () => sql`SELECT ${versionSql} AS version`;

/** The version a {@link versionCheck} answered. */
export const checkedVersion = (result: D1Result) => (result.results[0] as { version: number }).version;

/** Reads the destinations and their version in one round trip, and caches them in the isolate. */
export async function readTargets(db: Db, now = Date.now()): Promise<TargetsSnapshot> {
  const [versions, targets] = await db.batch([
    db.select({ version: destinationsVersion.version }).from(destinationsVersion).where(eq(destinationsVersion.id, 1)),
    db
      .select({
        id: destinations.id,
        filter: destinations.filter,
        sourceIds: destinations.sourceIds,
        enabled: destinations.enabled,
        events: destinations.events,
      })
      .from(destinations),
  ]);
  cachedTargets = { version: versions[0]?.version ?? 0, targets, readAt: now };
  return cachedTargets;
}

/**
 * The destinations to plan a push's deliveries from: this isolate's cached list when it is younger than
 * {@link TARGETS_MAX_AGE_MS}, else read (one round trip). The push's batch guards its inserts with the
 * snapshot's version ({@link planDeliveriesTo}) and answers the current one ({@link versionCheck}), so a
 * destination changed since is caught and the push planned again.
 */
export async function destinationTargets(db: Db, now = Date.now()): Promise<TargetsSnapshot> {
  if (cachedTargets && now - cachedTargets.readAt < TARGETS_MAX_AGE_MS) return cachedTargets;
  return readTargets(db, now);
}

/**
 * One delivery row per call and destination that {@link forwardDecision} forwards it to (`pending`, or `paused` when
 * the destination is disabled), none for the others: what {@link planDeliveriesTo} inserts.
 */
export function plannedDeliveries(
  targets: readonly DeliveryTarget[],
  calls: readonly NormalizedCall[],
  now: number,
): (typeof deliveries.$inferInsert)[] {
  const rows = new Map<string, typeof deliveries.$inferInsert>();
  for (const target of targets) {
    for (const call of calls) {
      const decision = forwardDecision(target, call);
      if (decision.verdict === "skip") continue;
      rows.set(`${target.id}\n${call.sourceId}\n${call.voiceId}`, {
        id: newId("dlv"),
        destinationId: target.id,
        sourceId: call.sourceId,
        voiceId: call.voiceId,
        ...(decision.verdict === "deliver"
          ? pendingFields(now)
          : { status: "paused", nextAttemptAt: null, leaseUntil: null }),
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
  return [...rows.values()];
}

/**
 * The inserts of {@link plannedDeliveries}. Inserts ignore a delivery that exists already (same destination, source
 * and voiceId), so a re-push never sends twice. With a `version`, the inserts run only while the destinations are
 * still at that version.
 */
export function planDeliveriesTo(
  targets: readonly DeliveryTarget[],
  calls: readonly NormalizedCall[],
  now: number,
  version?: number,
): DeliveryPlan {
  const guard = version === undefined ? undefined : sql`${versionSql} = ${version}`;
  const all = plannedDeliveries(targets, calls, now);
  const insert = (status: "pending" | "paused") =>
    insertJsonRows(
      deliveries,
      all.filter((r) => r.status === status),
      { doNothing: true },
      "id",
      {},
      guard,
    );
  return { pending: insert("pending"), paused: insert("paused"), counts: countInserted(all.map((r) => r.id)) };
}
