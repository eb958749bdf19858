import { eq, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { destinations, pushes } from "../db/schema";
import { enqueueDeliveries } from "../delivery/enqueue";
import type { NormalizedCall } from "../ingest/fields";
import { flushGates, type Occurrence, passGates } from "./gates";
import { ALERT_WINDOW_MS, HOURLY_WINDOW_MS } from "./rules/debounce";
import { silenceSince } from "./rules/silence";
import { eventSettings } from "./settings";
import { type NewEvent, produceEvents } from "./store";

/** `callDescription` of a call on which the platform played the line-balance announcement. */
export const BALANCE_ANNOUNCEMENT = 10;

/** What a stored push tells the event producers. */
export interface PushOutcome {
  pushId: string;
  sourceId: string;
  rejected: readonly { error: string }[];
  calls: readonly Pick<NormalizedCall, "voiceId" | "taskId" | "callDescription">[];
}

/** The debounced events a stored push gives rise to: rejected records, balance announcements. */
export function pushOccurrences(push: PushOutcome): Occurrence[] {
  const occurrences: Occurrence[] = [];
  if (push.rejected.length > 0) {
    occurrences.push({
      key: `records.rejected:${push.sourceId}`,
      windowMs: ALERT_WINDOW_MS,
      count: push.rejected.length,
      event: {
        type: "records.rejected",
        sourceId: push.sourceId,
        data: {
          sourceId: push.sourceId,
          pushId: push.pushId,
          count: push.rejected.length,
          reasons: [...new Set(push.rejected.map((r) => r.error))].slice(0, 5),
        },
      },
    });
  }
  const announced = push.calls.filter((c) => c.callDescription === BALANCE_ANNOUNCEMENT);
  const last = announced.at(-1);
  if (last) {
    occurrences.push({
      key: `line.balance_announcement:${push.sourceId}`,
      windowMs: HOURLY_WINDOW_MS,
      count: announced.length,
      event: {
        type: "line.balance_announcement",
        sourceId: push.sourceId,
        data: {
          sourceId: push.sourceId,
          count: announced.length,
          taskIds: [...new Set(announced.flatMap((c) => (c.taskId === null ? [] : [c.taskId])))].slice(0, 10),
          lastVoiceId: last.voiceId,
        },
      },
    });
  }
  return occurrences;
}

function logFailure(what: string, err: unknown, context: Record<string, unknown> = {}) {
  console.error(JSON.stringify({ msg: `${what} failed`, ...context, error: String(err) }));
}

/** After a push is stored (never failing it): `records.rejected` and `line.balance_announcement`, debounced. */
export async function eventsAfterPush(env: Env, push: PushOutcome, now: number): Promise<void> {
  const occurrences = pushOccurrences(push);
  if (occurrences.length === 0) return;
  try {
    await enqueueDeliveries(env.DELIVERY_QUEUE, await passGates(env.DB, occurrences, now));
  } catch (err) {
    logFailure("push events", err, { pushId: push.pushId });
  }
}

/** The latest push from `sourceIds` (all sources when empty), each read through an index. */
async function lastPushAt(d1: D1Database, sourceIds: readonly string[]): Promise<number | null> {
  const db = getDb(d1);
  const latest = sql<number | null>`max(${pushes.receivedAt})`;
  if (sourceIds.length === 0) return (await db.select({ at: latest }).from(pushes).get())?.at ?? null;
  const each = await Promise.all(
    sourceIds.map(
      async (id) => (await db.select({ at: latest }).from(pushes).where(eq(pushes.sourceId, id)).get())?.at ?? null,
    ),
  );
  const known = each.filter((at): at is number => at !== null);
  return known.length ? Math.max(...known) : null;
}

/** `pushes.silent` for each subscribed destination whose sources have been silent long enough, once per silence. */
export async function silenceEvents(d1: D1Database, now: number): Promise<NewEvent[]> {
  const watching = (await getDb(d1).select().from(destinations).where(eq(destinations.enabled, true))).filter((d) =>
    d.events.includes("pushes.silent"),
  );
  const cache = new Map<string, Promise<number | null>>();
  const events: NewEvent[] = [];
  for (const d of watching) {
    const sourceKey = [...d.sourceIds].sort().join(",");
    if (!cache.has(sourceKey)) cache.set(sourceKey, lastPushAt(d1, d.sourceIds));
    const last = await cache.get(sourceKey);
    const settings = eventSettings(d.options);
    const since = silenceSince({ now, lastPushAt: last ?? null, ...settings });
    if (since === null) continue;
    events.push({
      type: "pushes.silent",
      onlyTo: d.id,
      claimKey: `pushes.silent:${d.id}:${since}`,
      data: {
        sourceIds: d.sourceIds,
        lastPushAt: last == null ? null : new Date(last).toISOString(),
        silentSince: new Date(since).toISOString(),
        silentMinutes: settings.silentMinutes,
      },
    });
  }
  return events;
}

/**
 * The cron's event work: held-back debounced events whose window passed, and silences. Claims make a run that
 * overlaps another, or is retried, produce nothing twice. Errors are logged, never thrown: other cron work goes on.
 */
export async function produceScheduledEvents(env: Env, now: number): Promise<void> {
  try {
    const flushed = await flushGates(env.DB, now);
    const silent = await produceEvents(env.DB, await silenceEvents(env.DB, now), now);
    await enqueueDeliveries(env.DELIVERY_QUEUE, [...flushed, ...silent.deliveryIds]);
  } catch (err) {
    logFailure("scheduled events", err, { scheduledTime: now });
  }
}
