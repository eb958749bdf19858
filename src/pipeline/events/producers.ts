import { eq, sql } from "drizzle-orm";
import { getConfig } from "../../lib/config";
import type { NormalizedCall } from "../../model/calls/fields";
import { eventSettings } from "../../model/events/settings";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { destinations, eventClaims, pushes } from "../../storage/db/schema";
import { enqueueDeliveries } from "../dispatch/enqueue";
import { digestFigures, hourWithWeek, storageFigure } from "./figures";
import { flushGates, type Occurrence, passGates } from "./gates";
import { ALERT_WINDOW_MS, HOURLY_WINDOW_MS } from "./rules/debounce";
import { silenceSince } from "./rules/silence";
import { connectRateClaimKey, connectRateEvent, digestEvent, digestsDue, storageEvent } from "./scheduled";
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

/** Minutes into an hour in which the hour before is checked for a connect-rate drop (late reports have come in). */
export const CONNECT_RATE_CHECK_MINUTES = { from: 5, to: 20 } as const;

/** Which of `keys` are claimed already (one read), so a claimed digest's figures are never read again. */
async function claimedKeys(d1: D1Database, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await getDb(d1)
    .select({ key: eventClaims.key })
    .from(eventClaims)
    .where(inJsonArray(eventClaims.key, keys));
  return new Set(rows.map((r) => r.key));
}

/**
 * `storage.high` from the watchdog's figure, `connect_rate.dropped` for the hour just ended and the digests due,
 * each with its claim key; figures come from the rollups, read once per distinct source selection.
 */
export async function scheduledEvents(env: Env, now: number): Promise<NewEvent[]> {
  const config = getConfig(env);
  const storage = await storageFigure(env.DB, config.d1LimitBytes);
  const out: NewEvent[] = [];
  const storageHigh = storage && storageEvent(storage, now);
  if (storageHigh) out.push(storageHigh);

  const watching = await getDb(env.DB).select().from(destinations).where(eq(destinations.enabled, true));
  const minute = Math.floor((now % 3_600_000) / 60_000);
  const checkRate = minute >= CONNECT_RATE_CHECK_MINUTES.from && minute < CONNECT_RATE_CHECK_MINUTES.to;
  const hourEnd = now - (now % 3_600_000);
  const due = watching.flatMap((d) => {
    const settings = eventSettings(d.options);
    const slots = digestsDue(d.id, d.events, settings, now).map((slot) => ({ d, settings, slot, key: slot.key }));
    const rateKey = connectRateClaimKey(d.id, now);
    const rate =
      checkRate && d.events.includes("connect_rate.dropped") ? [{ d, settings, slot: null, key: rateKey }] : [];
    return [...slots, ...rate];
  });
  const claimed = await claimedKeys(
    env.DB,
    due.map((x) => x.key),
  );
  const hours = new Map<string, ReturnType<typeof hourWithWeek>>();
  for (const { d, settings, slot, key } of due) {
    if (claimed.has(key)) continue;
    if (slot) {
      const span = { start: slot.start, end: slot.end, sourceIds: d.sourceIds };
      out.push(digestEvent(d.id, slot, await digestFigures(env.DB, span, settings.timezone, storage)));
      continue;
    }
    const sourceKey = [...d.sourceIds].sort().join(",");
    if (!hours.has(sourceKey)) hours.set(sourceKey, hourWithWeek(env.DB, hourEnd, d.sourceIds));
    const { hour, sameHourBefore } = await (hours.get(sourceKey) as ReturnType<typeof hourWithWeek>);
    const event = connectRateEvent(d.id, settings, hour, sameHourBefore, now);
    if (event) out.push(event);
  }
  return out;
}

/**
 * The cron's event work: held-back debounced events whose window passed, silences, storage, connect rate and
 * digests. Claims make a run that overlaps another, or is retried, produce nothing twice. Errors are logged, never
 * thrown: other cron work goes on.
 */
export async function produceScheduledEvents(env: Env, now: number): Promise<void> {
  try {
    const flushed = await flushGates(env.DB, now);
    const events = [...(await silenceEvents(env.DB, now)), ...(await scheduledEvents(env, now))];
    const produced = await produceEvents(env.DB, events, now);
    await enqueueDeliveries(env.DELIVERY_QUEUE, [...flushed, ...produced.deliveryIds]);
  } catch (err) {
    logFailure("scheduled events", err, { scheduledTime: now });
  }
}
