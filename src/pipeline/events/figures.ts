import { and, desc, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { EventData } from "../../model/events/types";
import { campaignFigures } from "../../model/stats/campaign";
import { readCampaignGroups } from "../../model/stats/campaign-read";
import { type Db, getDb } from "../../storage/db/client";
import { callRollups, deliveryRollups, storageUsage, taskRollups } from "../../storage/db/schema";
import { hourOf } from "../../storage/hours";
import type { HourCount } from "./rules/connect-rate";
import type { StorageFigure } from "./scheduled";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const TOP = 10;

/** Rollup hours of `[start, end)` (those starting in it) and the sources a destination selects (empty: all). */
interface Span {
  start: number;
  end: number;
  sourceIds: readonly string[];
}

function within(hour: SQLiteColumn, source: SQLiteColumn, span: Span): SQL {
  const hours = and(gte(hour, hourOf(span.start + HOUR_MS - 1)), lt(hour, hourOf(span.end + HOUR_MS - 1))) as SQL;
  return span.sourceIds.length ? (and(hours, inArray(source, [...span.sourceIds])) as SQL) : hours;
}

const totals = (db: Db, span: Span) =>
  db
    .select({
      calls: sql<number>`coalesce(sum(${callRollups.calls}), 0)`,
      connected: sql<number>`coalesce(sum(${callRollups.connected}), 0)`,
    })
    .from(callRollups)
    .where(within(callRollups.hour, callRollups.sourceId, span));

const rate = (c: HourCount) => (c.calls === 0 ? null : Math.round((c.connected / c.calls) * 1000) / 1000);

/** The storage figure the watchdog last recorded, against D1's limit; null before any was recorded. */
export async function storageFigure(d1: D1Database, limitBytes: number): Promise<StorageFigure | null> {
  const row = await getDb(d1).select({ bytes: storageUsage.bytes }).from(storageUsage).limit(1).get();
  return row ? { bytes: row.bytes, limitBytes } : null;
}

/**
 * Calls and connected calls of the hour ending at `end`, and of the same hour on each of the 7 days before
 * (from `call_rollups`, one read).
 */
export async function hourWithWeek(d1: D1Database, end: number, sourceIds: readonly string[]) {
  const hours = Array.from({ length: 8 }, (_, day) => hourOf(end - HOUR_MS - day * DAY_MS));
  const rows = await getDb(d1)
    .select({
      hour: callRollups.hour,
      calls: sql<number>`sum(${callRollups.calls})`,
      connected: sql<number>`sum(${callRollups.connected})`,
    })
    .from(callRollups)
    .where(
      sourceIds.length
        ? and(inArray(callRollups.hour, hours), inArray(callRollups.sourceId, [...sourceIds]))
        : inArray(callRollups.hour, hours),
    )
    .groupBy(callRollups.hour);
  const of = (hour: number): HourCount => {
    const row = rows.find((r) => r.hour === hour);
    return { calls: row?.calls ?? 0, connected: row?.connected ?? 0 };
  };
  return {
    hour: of(hours[0] as number),
    sameHourBefore: hours
      .slice(1)
      .map(of)
      .filter((h) => h.calls > 0),
  };
}

/**
 * A digest's figures for `[start, end)` from the rollups (one D1 batch, never reading `calls`): totals and those of
 * the period before, top intents, busiest tasks, deliveries created in the period by status, and storage.
 */
export async function digestFigures(
  d1: D1Database,
  span: Span,
  timezone: string,
  storage: StorageFigure | null,
): Promise<EventData<"digest.daily">> {
  const db = getDb(d1);
  const previous = { ...span, start: span.start - (span.end - span.start), end: span.start };
  const count = sql<number>`sum(${callRollups.calls})`;
  const taskCalls = sql<number>`sum(${taskRollups.calls})`;
  const [[now], [before], intents, tasks, statuses] = await db.batch([
    totals(db, span),
    totals(db, previous),
    db
      .select({ intentCode: callRollups.intentCode, intent: callRollups.intent, count })
      .from(callRollups)
      .where(within(callRollups.hour, callRollups.sourceId, span))
      .groupBy(callRollups.intentCode, callRollups.intent)
      .orderBy(desc(count))
      .limit(TOP),
    db
      .select({ taskId: taskRollups.taskId, calls: taskCalls, connected: sql<number>`sum(${taskRollups.connected})` })
      .from(taskRollups)
      .where(within(taskRollups.hour, taskRollups.sourceId, span))
      .groupBy(taskRollups.taskId)
      .orderBy(desc(taskCalls))
      .limit(TOP),
    db
      .select({ status: deliveryRollups.status, count: sql<number>`sum(${deliveryRollups.count})` })
      .from(deliveryRollups)
      .where(within(deliveryRollups.hour, deliveryRollups.sourceId, { ...span, sourceIds: [] }))
      .groupBy(deliveryRollups.status),
  ]);
  const busiest = tasks.filter((t) => t.calls > 0);
  const campaign = new Map(
    campaignFigures(
      busiest.length === 0
        ? []
        : (
            await readCampaignGroups(db, {
              firstHour: hourOf(span.start + HOUR_MS - 1),
              endHour: hourOf(span.end + HOUR_MS - 1),
              sourceIds: span.sourceIds,
              taskIds: busiest.map((t) => t.taskId),
            })
          ).groups,
      null,
      TOP,
    ).map((t) => [t.taskId ?? -1, t]),
  );
  const current = { calls: now?.calls ?? 0, connected: now?.connected ?? 0 };
  const earlier = { calls: before?.calls ?? 0, connected: before?.connected ?? 0 };
  const byStatus = (...names: string[]) =>
    statuses.filter((s) => names.includes(s.status)).reduce((sum, s) => sum + s.count, 0);
  return {
    period: { start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString(), timezone },
    ...current,
    connectRate: rate(current),
    previous: { ...earlier, connectRate: rate(earlier) },
    topIntents: intents
      .filter((i) => i.count > 0)
      .map((i) => ({ intentCode: i.intentCode || null, intent: i.intent || null, count: i.count })),
    byTask: busiest.map((t) => {
      const figures = campaign.get(t.taskId);
      return {
        taskId: t.taskId === -1 ? null : t.taskId,
        calls: t.calls,
        connected: t.connected,
        averageTalkSeconds: figures?.averageTalkSeconds ?? null,
        costs: (figures?.costs ?? [])
          .slice(0, 5)
          .map((c) => ({ currency: c.currency, total: c.total, perConnectedCall: c.perConnectedCall })),
      };
    }),
    deliveries: {
      delivered: byStatus("delivered"),
      failed: byStatus("failed"),
      retrying: byStatus("retrying", "pending"),
    },
    storage: storage && {
      ...storage,
      percent: Math.round((storage.bytes / storage.limitBytes) * 1000) / 10,
    },
  };
}
