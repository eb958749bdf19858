import { inArray, sql } from "drizzle-orm";
import type { OperationEventType } from "../../model/events/types";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { eventGates } from "../../storage/db/schema";
import { flushGate, type GateDecision, type GateState, passGate } from "./rules/debounce";
import { eventStatements, type NewEvent, readSubscribers } from "./store";

/** Repeated occurrences of one debounced event (one gate key), as a producer reports them. */
export interface Occurrence {
  key: string;
  windowMs: number;
  count: number;
  /** The event to produce if the gate lets it through; its data's `count` is set to the gate's count. */
  event: NewEvent;
}

type GateRow = typeof eventGates.$inferSelect;

const MAX_TRIES = 3;

/** A fresh version for a gate write: random, so a batch can tell its own write from a concurrent one's. */
const newVersion = () => Math.floor(Math.random() * 2 ** 48) + 1;

function gateWrite(
  key: string,
  type: OperationEventType,
  windowMs: number,
  row: GateRow | undefined,
  next: GateState,
  data: unknown,
  version: number,
) {
  const lastData = JSON.stringify(data);
  if (!row) {
    return sql`INSERT INTO event_gates (key, type, window_ms, sent_at, pending, last_data, version)
      VALUES (${key}, ${type}, ${windowMs}, ${next.sentAt}, ${next.pending}, ${lastData}, ${version}) ON CONFLICT DO NOTHING RETURNING key`;
  }
  return sql`UPDATE event_gates SET sent_at = ${next.sentAt}, pending = ${next.pending}, last_data = ${lastData},
    version = ${version} WHERE key = ${key} AND version = ${row.version} RETURNING key`;
}

/** The condition that a gate write of this batch took: the gate is at the version it wrote. */
const wrote = (key: string, version: number) =>
  sql`EXISTS (SELECT 1 FROM event_gates WHERE key = ${key} AND version = ${version})`;

function withCount(event: NewEvent, count: number): NewEvent {
  return { ...event, data: { ...event.data, count } } as NewEvent;
}

/**
 * Runs occurrences through their debounce gates (see `rules/debounce.ts`) and stores the events that pass, with
 * their deliveries, in the same batch as the gates' new state: a gate another isolate moved meanwhile fails its
 * compare-and-set, stores nothing, and is tried again. Answers the deliveries created.
 */
export async function passGates(d1: D1Database, occurrences: readonly Occurrence[], now: number): Promise<string[]> {
  let left = [...occurrences];
  const deliveryIds: string[] = [];
  for (let tries = 0; left.length > 0 && tries < MAX_TRIES; tries++) {
    const rows = await getDb(d1)
      .select()
      .from(eventGates)
      .where(inArray(eventGates.key, [...new Set(left.map((o) => o.key))]));
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const subscribers = await readSubscribers(d1);
    const statements = [];
    const attempted: Occurrence[] = [];
    for (const o of left) {
      if (attempted.some((a) => a.key === o.key)) continue;
      const row = byKey.get(o.key);
      const decision: GateDecision = passGate(row ?? null, o.count, now, o.windowMs);
      const version = newVersion();
      statements.push(gateWrite(o.key, o.event.type, o.windowMs, row, decision.state, o.event.data, version));
      if (decision.emit) {
        statements.push(
          ...eventStatements({ ...withCount(o.event, decision.count), when: wrote(o.key, version) }, subscribers, now),
        );
      }
      attempted.push(o);
    }
    const results = await runBatch(d1, statements);
    const returned = results.flatMap((r) => (r.results ?? []) as { key?: string; id?: string }[]);
    for (const r of returned) if (r.id) deliveryIds.push(r.id);
    // A gate write returns its key when it took; the others go round again.
    const took = new Set(returned.flatMap((r) => (r.key ? [r.key] : [])));
    left = left.filter((o) => !attempted.includes(o) || !took.has(o.key));
  }
  return deliveryIds;
}

/**
 * At a scheduled run: gates holding occurrences whose window has passed produce their event with the held count
 * and the latest occurrence's data. Bounded: at most `limit` gates per run.
 */
export async function flushGates(d1: D1Database, now: number, limit = 50): Promise<string[]> {
  const rows = await getDb(d1)
    .select()
    .from(eventGates)
    .where(sql`${eventGates.pending} > 0 AND ${eventGates.sentAt} <= ${now} - ${eventGates.windowMs}`)
    .limit(limit);
  if (rows.length === 0) return [];
  const subscribers = await readSubscribers(d1);
  const statements = rows.flatMap((row) => {
    const decision = flushGate(row, now, row.windowMs);
    if (!decision.emit) return [];
    const event = { type: row.type, data: row.lastData ?? {} } as NewEvent;
    const scope = (row.lastData ?? {}) as { sourceId?: string; destinationId?: string };
    const version = newVersion();
    return [
      gateWrite(row.key, event.type, row.windowMs, row, decision.state, row.lastData, version),
      ...eventStatements(
        {
          ...withCount(event, decision.count),
          sourceId: scope.sourceId,
          aboutDestinationId: scope.destinationId,
          when: wrote(row.key, version),
        },
        subscribers,
        now,
      ),
    ];
  });
  const results = await runBatch(d1, statements);
  return results.flatMap((r) => ((r.results ?? []) as { id?: string }[]).flatMap((x) => (x.id ? [x.id] : [])));
}
