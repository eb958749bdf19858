import { and, desc, eq } from "drizzle-orm";
import { getDb } from "../../storage/db/client";
import { events } from "../../storage/db/schema";
import type { Circuit } from "../dispatch/breaker";
import { enqueueDeliveries } from "../dispatch/enqueue";
import { type Occurrence, passGates } from "./gates";
import { ALERT_WINDOW_MS } from "./rules/debounce";
import { type NewEvent, produceEvents } from "./store";

interface Named {
  id: string;
  name: string;
}

/** What one delivery batch did to its destinations, as the event producers need it. */
export interface BatchFacts {
  /** Destinations a permanent answer disabled, with that answer. */
  disabled: { destination: Named; reason: string; lastStatusCode: number | null; lastResponse: string | null }[];
  /** Call deliveries that gave up after their last retry, per destination (event deliveries never count). */
  exhausted: { destination: Named; count: number; lastError: string | null }[];
  /** Breaker changes the batch made. */
  circuits: { destination: Named; before: Circuit; after: Circuit }[];
}

/** The `delivery.exhausted` occurrences of a batch: one gate per destination, 15 minutes. */
export function exhaustedOccurrences(facts: BatchFacts): Occurrence[] {
  return facts.exhausted.map(({ destination, count, lastError }) => ({
    key: `delivery.exhausted:${destination.id}`,
    windowMs: ALERT_WINDOW_MS,
    count,
    event: {
      type: "delivery.exhausted",
      aboutDestinationId: destination.id,
      data: { destinationId: destination.id, destinationName: destination.name, count, lastError },
    },
  }));
}

/**
 * `destination.disabled` each time, `breaker.opened` when a closed circuit opens (a failed probe re-opening it is
 * the same outage: no new event) and `breaker.closed` when it closes again, opened at `openedAt(destinationId)`.
 */
export function transitionEvents(facts: BatchFacts, openedAt: (destinationId: string) => number | null): NewEvent[] {
  const out: NewEvent[] = facts.disabled.map(({ destination, ...rest }) => ({
    type: "destination.disabled",
    aboutDestinationId: destination.id,
    data: { destinationId: destination.id, destinationName: destination.name, ...rest },
  }));
  for (const { destination, before, after } of facts.circuits) {
    const about = { destinationId: destination.id, destinationName: destination.name };
    if (before.state === "closed" && after.state === "open") {
      out.push({
        type: "breaker.opened",
        aboutDestinationId: destination.id,
        data: { ...about, failures: after.failStreak, openUntil: new Date(after.openUntil ?? 0).toISOString() },
      });
    } else if (before.state !== "closed" && after.state === "closed") {
      const at = openedAt(destination.id);
      out.push({
        type: "breaker.closed",
        aboutDestinationId: destination.id,
        data: { ...about, openedAt: at === null ? null : new Date(at).toISOString() },
      });
    }
  }
  return out;
}

/** When the destination's latest `breaker.opened` event was produced (only read when a circuit closes). */
async function lastOpenedAt(d1: D1Database, destinationId: string): Promise<number | null> {
  const row = await getDb(d1)
    .select({ at: events.createdAt })
    .from(events)
    .where(and(eq(events.type, "breaker.opened"), eq(events.destinationId, destinationId)))
    .orderBy(desc(events.createdAt))
    .limit(1)
    .get();
  return row?.at ?? null;
}

/**
 * After a delivery batch is recorded: its events about destinations, stored and queued (D1 work only when
 * something happened). An event about a destination never goes to that destination, and event deliveries that
 * give up are not counted, so a broken alert destination cannot feed itself or another one in a loop.
 * Errors are logged, never thrown: the batch is recorded already.
 */
export async function eventsAfterBatch(env: Env, facts: BatchFacts, now: number): Promise<void> {
  const occurrences = exhaustedOccurrences(facts);
  const closing = facts.circuits.filter((c) => c.before.state !== "closed" && c.after.state === "closed");
  if (occurrences.length === 0 && facts.disabled.length === 0 && facts.circuits.length === 0) return;
  try {
    const opened = new Map<string, number | null>();
    for (const c of closing) opened.set(c.destination.id, await lastOpenedAt(env.DB, c.destination.id));
    const produced = await produceEvents(
      env.DB,
      transitionEvents(facts, (id) => opened.get(id) ?? null),
      now,
    );
    const gated = occurrences.length ? await passGates(env.DB, occurrences, now) : [];
    await enqueueDeliveries(env.DELIVERY_QUEUE, [...produced.deliveryIds, ...gated]);
  } catch (err) {
    console.error(JSON.stringify({ msg: "delivery events failed", error: String(err) }));
  }
}
