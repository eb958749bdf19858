import { and, eq, isNull, sql } from "drizzle-orm";
import type { NormalizedCall } from "../../model/calls/fields";
import { normalizedCallColumns } from "../../model/calls/normalized";
import type { OperationEvent } from "../../model/events/types";
import { runBatch, type Statement, updateJsonRows } from "../../storage/db/batch";
import type { Db } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { calls, deliveries, destinations, events } from "../../storage/db/schema";
import { moveCountsOf } from "../../storage/delivery-rollups";
import { type Admission, admit, type Circuit } from "../dispatch/breaker";
import { eventFromRow } from "../events/send-event";

type DestinationRow = typeof destinations.$inferSelect;

/** A message arriving this much before its delivery is due is a duplicate: the due one will follow. */
const EARLY_SLACK_MS = 2_000;

/** Which queue a batch came from: first attempts, or retries and slow destinations. */
export type Lane = "fast" | "slow";

/** What a delivery carries: a call (`call.reported`), or an event about the operation. */
export type Subject = { call: NormalizedCall; event?: undefined } | { event: OperationEvent; call?: undefined };

/** A delivery this batch claimed: its attempt count now includes the attempt about to be made. */
export type Claimed = { id: string; attempts: number; destination: DestinationRow } & Subject;

/** A delivery left for later without an attempt spent: `until` it is due again. */
export interface Held {
  id: string;
  attempts: number;
  until: number;
}

/** What a batch's claim did. */
export interface ClaimResult {
  claimed: Claimed[];
  /** Held by an open circuit: the sweeper or the circuit's release picks them up. */
  held: Held[];
  /** Deliveries of slow destinations, for the slow lane. */
  redirected: string[];
  /** The circuit of each destination with claimed deliveries, after any probe started. */
  circuits: Map<string, Circuit>;
  statements: number;
  /** Wall time of the read and of the claiming batch (ms). */
  readMs: number;
  writeMs: number;
}

/** The breaker fields of a destination row. */
export function circuitOf(row: DestinationRow): Circuit {
  return { state: row.circuit, failStreak: row.failStreak, trips: row.circuitTrips, openUntil: row.openUntil };
}

/** What a delivery row's joins found for it, or why it cannot be sent any more. */
function subjectOf(
  eventId: string | null,
  call: NormalizedCall | null,
  event: typeof events.$inferSelect | null,
): Subject | string {
  if (eventId === null) return call ? { call } : "call is no longer stored";
  if (!event) return "event is no longer stored";
  const parsed = eventFromRow(event);
  return parsed ? { event: parsed } : `event type ${event.type} or its data is not known`;
}

/**
 * Claims the due deliveries among `ids` in two D1 round trips: one read of the deliveries with their
 * destinations and calls or events, then one batch that claims (attempts + 1, `claimed_until` and the lease at `leaseEnd`: a
 * second message for a claimed delivery finds it claimed and sends nothing), holds those of
 * open circuits, hands slow destinations' to the slow lane, pauses a disabled destination's and fails those
 * whose destination or call is gone. A half-open circuit lets one probe through, claimed only if this
 * batch is the one that moved the circuit to `half_open`.
 */
export async function claimBatch(
  db: Db,
  d1: D1Database,
  ids: readonly string[],
  lane: Lane,
  now: number,
  leaseEnd: number,
  redirectGraceMs: number,
): Promise<ClaimResult> {
  const readStart = Date.now();
  const rows = await db
    .select({
      id: deliveries.id,
      status: deliveries.status,
      attempts: deliveries.attempts,
      nextAttemptAt: deliveries.nextAttemptAt,
      claimedUntil: deliveries.claimedUntil,
      eventId: deliveries.eventId,
      destination: destinations,
      call: normalizedCallColumns,
      event: events,
    })
    .from(deliveries)
    .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .leftJoin(calls, and(eq(calls.sourceId, deliveries.sourceId), eq(calls.voiceId, deliveries.voiceId)))
    .leftJoin(events, eq(events.id, deliveries.eventId))
    .where(inJsonArray(deliveries.id, ids));
  const readMs = Date.now() - readStart;

  const finished: { id: string; attempts: number; status: "paused" | "failed"; error: string | null }[] = [];
  const held: Held[] = [];
  const redirected: { id: string; attempts: number }[] = [];
  const toClaim = new Map<string, { destination: DestinationRow } & Subject>();
  const admissions = new Map<string, Admission>();
  const probes: Statement[] = [];
  for (const row of rows) {
    if (row.status !== "pending" && row.status !== "retrying") continue;
    if (row.nextAttemptAt !== null && row.nextAttemptAt > now + EARLY_SLACK_MS) continue;
    if (row.claimedUntil !== null && row.claimedUntil >= now) continue;
    const { destination } = row;
    const subject = subjectOf(row.eventId, row.call, row.event);
    if (!destination) finished.push({ ...row, status: "failed", error: "destination was deleted" });
    else if (!destination.enabled) finished.push({ ...row, status: "paused", error: null });
    else if (typeof subject === "string") finished.push({ ...row, status: "failed", error: subject });
    else if (lane === "fast" && destination.slow) redirected.push(row);
    else {
      let admission = admissions.get(destination.id);
      if (!admission) {
        const circuit = circuitOf(destination);
        admission = admit(circuit, now, leaseEnd - now);
        admissions.set(destination.id, admission);
        if (admission.send === "probe") {
          probes.push(
            db
              .update(destinations)
              .set({ circuit: "half_open", openUntil: leaseEnd })
              .where(
                and(
                  eq(destinations.id, destination.id),
                  eq(destinations.circuit, circuit.state),
                  circuit.openUntil === null
                    ? isNull(destinations.openUntil)
                    : eq(destinations.openUntil, circuit.openUntil),
                ),
              ),
          );
          toClaim.set(row.id, { destination, ...subject });
          continue;
        }
      }
      if (admission.send === "all") toClaim.set(row.id, { destination, ...subject });
      else
        held.push({
          id: row.id,
          attempts: row.attempts,
          until: admission.send === "none" ? admission.until : leaseEnd,
        });
    }
  }

  // Only unindexed columns change, so a claim writes one row (the due time stays: `deliveries_status_idx` is untouched).
  const claim = sql`UPDATE ${deliveries} SET attempts = attempts + 1, claimed_until = ${leaseEnd},
    lease_until = ${leaseEnd}, updated_at = ${now}
    WHERE id IN (SELECT value FROM json_each(${JSON.stringify([...toClaim.keys()])}))
      AND status IN ('pending', 'retrying') AND coalesce(next_attempt_at, 0) <= ${now + EARLY_SLACK_MS}
      AND coalesce(claimed_until, 0) < ${now}
      AND NOT EXISTS (SELECT 1 FROM ${destinations} d WHERE d.id = ${deliveries.destinationId}
        AND d.circuit != 'closed' AND coalesce(d.open_until, 0) != ${leaseEnd})
    RETURNING id, attempts`;
  const statements: Statement[] = [
    ...probes,
    claim,
    ...updateJsonRows(
      deliveries,
      held.map((h) => ({
        match: { id: h.id, attempts: h.attempts },
        set: { nextAttemptAt: h.until, leaseUntil: null },
      })),
    ),
    ...updateJsonRows(
      deliveries,
      redirected.map((r) => ({
        match: { id: r.id, attempts: r.attempts },
        set: { nextAttemptAt: now, leaseUntil: now + redirectGraceMs },
      })),
    ),
    ...moveCountsOf(finished),
    ...updateJsonRows(
      deliveries,
      finished.map((f) => ({
        match: { id: f.id, attempts: f.attempts },
        set: { status: f.status, lastError: f.error, nextAttemptAt: null, leaseUntil: null, updatedAt: now },
      })),
    ),
  ];
  const writeStart = Date.now();
  const results = await runBatch(d1, statements);
  const writeMs = Date.now() - writeStart;
  const claimedRows = (results[probes.length]?.results ?? []) as { id: string; attempts: number }[];
  const claimed = claimedRows.flatMap((c) => {
    const found = toClaim.get(c.id);
    return found ? [{ id: c.id, attempts: c.attempts, ...found }] : [];
  });
  const circuits = new Map<string, Circuit>();
  for (const c of claimed) {
    const admission = admissions.get(c.destination.id);
    circuits.set(c.destination.id, admission?.send === "probe" ? admission.circuit : circuitOf(c.destination));
  }
  return {
    claimed,
    held,
    redirected: redirected.map((r) => r.id),
    circuits,
    statements: statements.length + 1,
    readMs,
    writeMs,
  };
}
