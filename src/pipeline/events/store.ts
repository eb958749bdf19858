import { type SQL, sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { EventData, OperationEventType } from "../../model/events/types";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { destinations } from "../../storage/db/schema";
import { countInserted } from "../../storage/delivery-rollups";
import { QUEUE_GRACE_MS } from "../dispatch/enqueue";

/** An event to store and fan out. */
export interface NewEvent<T extends OperationEventType = OperationEventType> {
  type: T;
  data: EventData<T>;
  /** The source it is about: destinations that select sources get it only from theirs. */
  sourceId?: string;
  /** The destination it is about: that destination is not told about itself. */
  aboutDestinationId?: string;
  /** Only this destination gets it (events from its own settings: silence, digests, connect rate). */
  onlyTo?: string;
  /** Once-only key: an event whose key is claimed already is not produced again (overlapping or retried cron runs). */
  claimKey?: string;
  /** Produced only if this holds when the batch runs (a debounce gate's compare-and-set). */
  when?: SQL;
}

/** What a destination's subscription needs. */
export interface Subscriber {
  id: string;
  events: string[];
  sourceIds: string[];
  enabled: boolean;
}

/** The enabled destinations subscribed to `event`'s type that should get it. */
export function subscribersOf(event: NewEvent, subscribers: readonly Subscriber[]): Subscriber[] {
  return subscribers.filter(
    (d) =>
      d.enabled &&
      d.events.includes(event.type) &&
      (event.onlyTo === undefined || d.id === event.onlyTo) &&
      d.id !== event.aboutDestinationId &&
      (event.sourceId === undefined || d.sourceIds.length === 0 || d.sourceIds.includes(event.sourceId)),
  );
}

/** Every destination's subscription (a destination list is small: at most a few hundred). */
export function readSubscribers(d1: D1Database): Promise<Subscriber[]> {
  const d = destinations;
  return getDb(d1).select({ id: d.id, events: d.events, sourceIds: d.sourceIds, enabled: d.enabled }).from(d);
}

/**
 * The statements that store `event` and its deliveries (one per subscriber, `pending`, source `""` and voiceId the
 * event id), each insert conditional on the one before, so a claimed key or a failed `when` stores nothing.
 * Delivery inserts return their `id`; the last statement counts them in the delivery rollups.
 */
export function eventStatements(event: NewEvent, subscribers: readonly Subscriber[], now: number): SQL[] {
  const targets = subscribersOf(event, subscribers);
  const id = newId("evt");
  const statements: SQL[] = [];
  const conditions: SQL[] = [];
  if (event.when) conditions.push(event.when);
  if (event.claimKey !== undefined) {
    statements.push(
      sql`INSERT INTO event_claims (key, event_id, claimed_at) SELECT ${event.claimKey}, ${id}, ${now} WHERE ${
        event.when ?? sql`true`
      } ON CONFLICT DO NOTHING`,
    );
    conditions.splice(
      0,
      conditions.length,
      sql`EXISTS (SELECT 1 FROM event_claims WHERE key = ${event.claimKey} AND event_id = ${id})`,
    );
  }
  const condition = conditions.length ? sql.join(conditions, sql` AND `) : sql`true`;
  statements.push(
    sql`INSERT INTO events (id, type, source_id, destination_id, data, created_at) SELECT ${id}, ${event.type}, ${
      event.sourceId ?? null
    }, ${event.aboutDestinationId ?? event.onlyTo ?? null}, ${JSON.stringify(event.data)}, ${now} WHERE ${condition}`,
  );
  const deliveryIds = targets.map(() => newId("dlv"));
  targets.forEach((target, i) => {
    statements.push(
      sql`INSERT INTO deliveries (id, destination_id, source_id, voice_id, event_id, status, attempts, next_attempt_at, lease_until, created_at, updated_at)
        SELECT ${deliveryIds[i]}, ${target.id}, '', ${id}, ${id}, 'pending', 0, ${now}, ${now + QUEUE_GRACE_MS}, ${now}, ${now}
        WHERE EXISTS (SELECT 1 FROM events WHERE id = ${id}) ON CONFLICT DO NOTHING RETURNING id`,
    );
  });
  return [...statements, ...countInserted(deliveryIds)];
}

/** What storing events made: the deliveries to enqueue. */
export interface Produced {
  deliveryIds: string[];
}

/**
 * Stores `events` and their deliveries in one D1 batch (atomic: all or nothing) and answers the deliveries created,
 * for the caller to enqueue.
 */
export async function produceEvents(d1: D1Database, events: readonly NewEvent[], now: number): Promise<Produced> {
  if (events.length === 0) return { deliveryIds: [] };
  const subscribers = await readSubscribers(d1);
  const statements = events.flatMap((event) => eventStatements(event, subscribers, now));
  const results = await runBatch(d1, statements);
  const deliveryIds = results.flatMap((r) =>
    (r.results as { id?: string }[]).flatMap((row) => (row.id ? [row.id] : [])),
  );
  return { deliveryIds };
}
