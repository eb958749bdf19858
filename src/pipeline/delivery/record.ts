import { and, eq, isNull } from "drizzle-orm";
import { insertJsonRows, type Statement, updateJsonRows } from "../../storage/db/batch";
import type { Db } from "../../storage/db/client";
import { type DeliveryStatus, deliveries, deliveryAttempts, destinations } from "../../storage/db/schema";
import { moveCountsOf } from "../../storage/delivery-rollups";
import { healthRollupStatements } from "../../storage/health-rollups";
import type { Circuit } from "../dispatch/breaker";

/** One logged attempt of one delivery, and the delivery's state after it. */
export interface AttemptOutcome {
  id: string;
  /** The attempt count the claim gave it. */
  attempts: number;
  attempt: Omit<typeof deliveryAttempts.$inferInsert, "deliveryId" | "id">;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  leaseUntil: number | null;
  lastError: string | null;
}

/** A claimed delivery given back without an attempt spent, due again at `nextAttemptAt`. */
export interface Unclaimed {
  id: string;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
}

/** What a batch learnt about one destination. */
export interface DestinationOutcome {
  id: string;
  /** The circuit as the claim left it, and after this batch's attempts (written only if still as it was). */
  circuitBefore: Circuit;
  circuitAfter: Circuit;
  /** Changed: it answered slowly (true) or quickly again (false). */
  slow?: boolean;
  /** A permanent answer: why it gets disabled. */
  disabledReason?: string;
}

/**
 * Whether an attempt's facts stay on its delivery's row rather than in `delivery_attempts`: a first-try success
 * (most deliveries), whose log row and index entry would be two more rows written. `listAttempts` reads both.
 */
export const keptOnRow = (o: AttemptOutcome) => o.status === "delivered" && o.attempts === 1;

/**
 * The statements that record a batch: every attempt in one insert (a first-try success on its delivery's row instead), every delivery's new state in one
 * update, plus one or two per destination whose breaker or lane changed. Each delivery is written only if
 * its attempt count is still the claim's, so a hand retry meanwhile wins.
 */
export function recordStatements(
  db: Db,
  outcomes: readonly AttemptOutcome[],
  unclaimed: readonly Unclaimed[],
  destinationOutcomes: readonly DestinationOutcome[],
  now: number,
): Statement[] {
  const sameCircuit = (a: Circuit, b: Circuit) =>
    a.state === b.state && a.failStreak === b.failStreak && a.trips === b.trips && a.openUntil === b.openUntil;
  return [
    ...insertJsonRows(
      deliveryAttempts,
      outcomes.filter((o) => !keptOnRow(o)).map((o) => ({ deliveryId: o.id, ...o.attempt })),
      { doNothing: true },
    ),
    ...healthRollupStatements(outcomes),
    ...moveCountsOf(outcomes),
    // Two updates, so an attempt logged in `delivery_attempts` leaves the row's kept facts alone.
    ...[outcomes.filter(keptOnRow), outcomes.filter((o) => !keptOnRow(o))].flatMap((group) =>
      updateJsonRows(
        deliveries,
        group.map((o) => ({
          match: { id: o.id, attempts: o.attempts },
          set: {
            status: o.status,
            nextAttemptAt: o.nextAttemptAt,
            leaseUntil: o.leaseUntil,
            lastStatusCode: o.attempt.statusCode ?? null,
            lastError: o.lastError,
            deliveredAt: o.status === "delivered" ? o.attempt.attemptedAt : null,
            claimedUntil: null,
            updatedAt: now,
            ...(keptOnRow(o) && {
              attemptDurationMs: o.attempt.durationMs,
              attemptResponse: o.attempt.responseBody ?? null,
              detailKey: o.attempt.detailKey ?? null,
            }),
          },
        })),
      ),
    ),
    ...updateJsonRows(
      deliveries,
      unclaimed.map((u) => ({
        match: { id: u.id, attempts: u.attempts },
        set: { attempts: u.attempts - 1, nextAttemptAt: u.nextAttemptAt, leaseUntil: u.leaseUntil, claimedUntil: null },
      })),
    ),
    ...destinationOutcomes.flatMap((d) => {
      const before = d.circuitBefore;
      const after = d.circuitAfter;
      const statements: Statement[] = [];
      if (!sameCircuit(before, after)) {
        statements.push(
          db
            .update(destinations)
            .set({
              circuit: after.state,
              failStreak: after.failStreak,
              circuitTrips: after.trips,
              openUntil: after.openUntil,
            })
            .where(
              and(
                eq(destinations.id, d.id),
                eq(destinations.circuit, before.state),
                eq(destinations.failStreak, before.failStreak),
                before.openUntil === null
                  ? isNull(destinations.openUntil)
                  : eq(destinations.openUntil, before.openUntil),
              ),
            ),
        );
      }
      if (d.slow !== undefined || d.disabledReason !== undefined) {
        statements.push(
          db
            .update(destinations)
            .set({
              slow: d.slow,
              ...(d.disabledReason === undefined
                ? {}
                : { enabled: false, disabledReason: d.disabledReason, updatedAt: now }),
            })
            .where(eq(destinations.id, d.id)),
        );
      }
      return statements;
    }),
  ];
}
