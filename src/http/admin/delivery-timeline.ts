import type { AttemptWaitReason, deliveries, destinations } from "../../storage/db/schema";
import type { StoredAttempt } from "../../storage/delivery-attempts";

/** A due time this much past what was planned is a wait the attempts did not plan (breaker hold, pacing give-back). */
export const UNPLANNED_WAIT_MS = 5_000;

/**
 * Why the next attempt is when it is: as the last wait planned (`scheduled`), right now (`in_flight`), held while the
 * destination's circuit is open (`breaker`), later than planned for a reason not recorded per delivery (`held`: a
 * breaker hold since ended, or the pacer giving the slot back), or sooner than planned (`by_hand`: a retry by hand).
 */
export type NextReason = "scheduled" | "in_flight" | "breaker" | "held" | "by_hand";

/** One step of a delivery's life, times in epoch ms. */
export type TimelineEntry =
  | { kind: "planned"; at: number }
  | {
      kind: "attempt";
      at: number;
      outcome: StoredAttempt["outcome"];
      statusCode: number | null;
      durationMs: number;
      error: string | null;
    }
  | { kind: "wait"; at: number; until: number | null; reason: AttemptWaitReason }
  | { kind: "next"; at: number; reason: NextReason; breakerOpenUntil: number | null };

type DeliveryRow = Pick<typeof deliveries.$inferSelect, "createdAt" | "status" | "nextAttemptAt" | "leaseUntil">;
type DestinationCircuit = Pick<typeof destinations.$inferSelect, "circuit" | "openUntil">;

/**
 * A delivery's timeline: planned (created), each attempt and the wait it set with its reason, then the next attempt
 * while one is due, with why it is due then. Waits that are not attempts (a breaker hold, a pacing give-back) are
 * not recorded per delivery: they show only as the next attempt's reason, from the delivery's and its destination's
 * state now.
 */
export function deliveryTimeline(
  delivery: DeliveryRow,
  attempts: readonly StoredAttempt[],
  destination: DestinationCircuit | null,
  now: number,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ kind: "planned", at: delivery.createdAt }];
  for (const a of attempts) {
    entries.push({
      kind: "attempt",
      at: a.attemptedAt,
      outcome: a.outcome,
      statusCode: a.statusCode,
      durationMs: a.durationMs,
      error: a.error,
    });
    if (a.waitReason !== null)
      entries.push({ kind: "wait", at: a.attemptedAt, until: a.nextAttemptAt, reason: a.waitReason });
  }
  const due = delivery.nextAttemptAt;
  if ((delivery.status !== "pending" && delivery.status !== "retrying") || due === null) return entries;
  const last = attempts.at(-1);
  const planned = last ? last.nextAttemptAt : delivery.createdAt;
  const open =
    destination !== null && destination.circuit !== "closed" && (destination.openUntil ?? 0) > now
      ? destination.openUntil
      : null;
  let reason: NextReason;
  if (delivery.leaseUntil === due && due > now) reason = "in_flight";
  else if (open !== null) reason = "breaker";
  else if (planned === null) reason = "scheduled";
  else if (due > planned + UNPLANNED_WAIT_MS) reason = "held";
  else if (due < planned - UNPLANNED_WAIT_MS) reason = "by_hand";
  else reason = "scheduled";
  entries.push({ kind: "next", at: due, reason, breakerOpenUntil: open });
  return entries;
}
