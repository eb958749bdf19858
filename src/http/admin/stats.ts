import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gte, lt, max, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getConfig } from "../../lib/config";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { assertWindow, resolveWindow, timeFieldParam, timezoneParam, windowBoundParam } from "../../lib/time-window";
import { validationError, validationHook } from "../../lib/validation";
import { callDescriptionLabels } from "../../model/calls/labels";
import { coveringHours, toSeries } from "../../model/stats/series";
import { type Db, getDb } from "../../storage/db/client";
import {
  callRollups,
  deliveryRollups,
  deliveryStatuses,
  destinations,
  pushRollups,
  taskRollups,
} from "../../storage/db/schema";
import { hourStart } from "../../storage/hours";
import { storageRow, storageSchema, storageView } from "../../storage/usage";
import type { AppEnv } from "../app-env";

const DAY_MS = 24 * 3600 * 1000;
/** Longest window one request may aggregate over. */
const MAX_WINDOW_DAYS = 400;
/** Longest window an hourly series may cover. */
const MAX_HOURLY_DAYS = 31;
/** Longest breakdown list. */
const TOP = 50;

const statsQuery = z
  .object({
    since: windowBoundParam
      .optional()
      .openapi({ description: "Window start, inclusive (default: 24 h before `until`)" }),
    until: windowBoundParam.optional().openapi({ description: "Window end, exclusive (default: now)" }),
    timeField: timeFieldParam,
    timezone: timezoneParam.optional(),
    interval: z
      .enum(["hour", "day"])
      .optional()
      .openapi({ description: `Series buckets (default: hour for windows up to 3 days, else day)` }),
    sourceId: z.string().min(1).max(100).optional(),
  })
  .strict();

const statsOutput = z
  .object({
    window: z.object({ since: z.string(), until: z.string(), timezone: z.string() }),
    pushes: z.number().int(),
    records: z.number().int(),
    rejected: z.number().int(),
    calls: z.number().int(),
    connected: z.number().int(),
    connectRate: z.number().nullable().openapi({ description: "connected / calls; null without calls" }),
    byIntent: z.array(
      z.object({ intentCode: z.string().nullable(), intent: z.string().nullable(), count: z.number() }),
    ),
    byCallDescription: z.array(
      z.object({ callDescription: z.number().nullable(), label: z.string().nullable(), count: z.number() }),
    ),
    byTask: z.array(z.object({ taskId: z.number().nullable(), count: z.number(), connected: z.number() })),
    deliveries: z.array(
      z.object({
        destinationId: z.string(),
        name: z.string().nullable(),
        status: z.enum(deliveryStatuses),
        count: z.number(),
      }),
    ),
    series: z.object({
      interval: z.enum(["hour", "day"]),
      points: z.array(z.object({ start: z.string(), calls: z.number(), connected: z.number() })),
    }),
    storage: storageSchema,
  })
  .openapi("Stats");

const total = (column: SQLiteColumn) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);
const nullIf = <T>(value: T, absent: T) => (value === absent ? null : value);

/** Rollup rows of the window's hours (and source). */
function within(
  hour: SQLiteColumn,
  source: SQLiteColumn,
  w: { firstHour: number; endHour: number; sourceId?: string },
) {
  return and(
    gte(hour, w.firstHour),
    lt(hour, w.endHour),
    w.sourceId === undefined ? undefined : eq(source, w.sourceId),
  );
}

/** The window, totals and series of `GET /stats` and the console's overview, read from hourly rollups. */
export interface StatsQuery {
  since: number;
  until: number;
  sourceId?: string;
  interval: "hour" | "day";
  timeZone: string;
  limitBytes: number;
}

/** The answer's lists beside its totals. */
export type StatsPart = "byIntent" | "byCallDescription" | "byTask" | "deliveries" | "series";
const allParts: readonly StatsPart[] = ["byIntent", "byCallDescription", "byTask", "deliveries", "series"];

/**
 * Counts over `[since, until)` (of one source, when given) from hourly rollups, never from the calls themselves.
 * A caller that shows only some lists names them in `parts`: the others are answered empty without being read
 * (`LIMIT 0`, which SQLite checks before its first row).
 */
export async function computeStats(db: Db, window: StatsQuery, parts: readonly StatsPart[] = allParts) {
  const upTo = (part: StatsPart, rows: number) => (parts.includes(part) ? rows : 0);
  const hours = coveringHours(window.since, window.until);
  const w = { ...hours, sourceId: window.sourceId };
  const ofCalls = within(callRollups.hour, callRollups.sourceId, w);
  const count = total(callRollups.calls);
  const nonZero = (n: SQL) => sql`${n} > 0`;
  const [pushTotals, callTotals, byIntent, byDescription, byTask, byDestination, byHour, storage] = await db.batch([
    db
      .select({
        pushes: total(pushRollups.pushes),
        records: total(pushRollups.records),
        rejected: total(pushRollups.rejected),
      })
      .from(pushRollups)
      .where(within(pushRollups.hour, pushRollups.sourceId, w)),
    db
      .select({ calls: count, connected: total(callRollups.connected) })
      .from(callRollups)
      .where(ofCalls),
    db
      .select({ intentCode: callRollups.intentCode, intent: max(callRollups.intent), count })
      .from(callRollups)
      .where(ofCalls)
      .groupBy(callRollups.intentCode)
      .having(nonZero(count))
      .orderBy(desc(count), asc(callRollups.intentCode))
      .limit(upTo("byIntent", TOP)),
    db
      .select({ callDescription: callRollups.callDescription, count })
      .from(callRollups)
      .where(ofCalls)
      .groupBy(callRollups.callDescription)
      .having(nonZero(count))
      .orderBy(desc(count), asc(callRollups.callDescription))
      .limit(upTo("byCallDescription", TOP)),
    db
      .select({
        taskId: taskRollups.taskId,
        count: total(taskRollups.calls),
        connected: total(taskRollups.connected),
      })
      .from(taskRollups)
      .where(within(taskRollups.hour, taskRollups.sourceId, w))
      .groupBy(taskRollups.taskId)
      .having(nonZero(total(taskRollups.calls)))
      .orderBy(desc(total(taskRollups.calls)), asc(taskRollups.taskId))
      .limit(upTo("byTask", TOP)),
    db
      .select({
        destinationId: deliveryRollups.destinationId,
        name: max(destinations.name),
        status: deliveryRollups.status,
        count: total(deliveryRollups.count),
      })
      .from(deliveryRollups)
      .leftJoin(destinations, eq(destinations.id, deliveryRollups.destinationId))
      .where(within(deliveryRollups.hour, deliveryRollups.sourceId, w))
      .groupBy(deliveryRollups.destinationId, deliveryRollups.status)
      .having(nonZero(total(deliveryRollups.count)))
      .orderBy(desc(total(deliveryRollups.count)), asc(deliveryRollups.destinationId), asc(deliveryRollups.status))
      .limit(upTo("deliveries", TOP)),
    db
      .select({ hour: callRollups.hour, calls: count, connected: total(callRollups.connected) })
      .from(callRollups)
      .where(ofCalls)
      .groupBy(callRollups.hour)
      .limit(upTo("series", -1)),
    storageRow(db),
  ]);
  const pushed = pushTotals[0] ?? { pushes: 0, records: 0, rejected: 0 };
  const called = callTotals[0] ?? { calls: 0, connected: 0 };
  return {
    window: {
      since: new Date(hourStart(hours.firstHour)).toISOString(),
      until: new Date(hourStart(hours.endHour)).toISOString(),
      timezone: window.timeZone,
    },
    ...pushed,
    ...called,
    connectRate: called.calls === 0 ? null : called.connected / called.calls,
    byIntent: byIntent.map((r) => ({
      intentCode: nullIf(r.intentCode, ""),
      intent: nullIf(r.intent ?? "", ""),
      count: r.count,
    })),
    byCallDescription: byDescription.map((r) => {
      const callDescription = nullIf(r.callDescription, -1);
      const label = callDescription === null ? null : (callDescriptionLabels[callDescription] ?? null);
      return { callDescription, label, count: r.count };
    }),
    byTask: byTask.map((r) => ({ ...r, taskId: nullIf(r.taskId, -1) })),
    deliveries: byDestination.map((r) => ({ ...r, status: r.status as (typeof deliveryStatuses)[number] })),
    series: { interval: window.interval, points: toSeries(byHour, hours, window.interval, window.timeZone) },
    storage: storageView(storage[0], window.limitBytes),
  };
}

/** `/api/v1/stats`: counts over a time window, read from hourly rollups. */
export const statsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "Counts over a window",
    description: `Counts kept per hour as calls are stored, so the cost depends on the window, not on how many calls there are. Calls count by their own time (callTime, else submitTime, else receivedAt); pushes by when they were received; deliveries by when they were created, under their current status. The window is widened to whole hours (UTC); local dates are read in \`timezone\`. Default window: the last 24 h; at most ${MAX_WINDOW_DAYS} days (${MAX_HOURLY_DAYS} for an hourly series). Each list holds the top ${TOP} by count. Counts outlive the calls (STATS_RETENTION_DAYS).`,
    request: { query: statsQuery },
    responses: { 200: jsonContent(statsOutput, "The counts"), 400: errorResponse },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const config = getConfig(c.env);
    const timeZone = q.timezone ?? config.defaultTimezone;
    if (q.timeField !== "callTime") {
      throw validationError([
        { path: "timeField", message: "stats are kept by the call's own time; only callTime is available" },
      ]);
    }
    const bounds = resolveWindow(q, timeZone);
    const until = bounds.until ?? Date.now();
    const since = bounds.since ?? until - DAY_MS;
    assertWindow(since, until, bounds.until !== undefined);
    if (until - since > MAX_WINDOW_DAYS * DAY_MS) {
      throw validationError([{ path: "since", message: `the window is longer than ${MAX_WINDOW_DAYS} days` }]);
    }
    const interval = q.interval ?? (until - since <= 3 * DAY_MS ? "hour" : "day");
    if (interval === "hour" && until - since > MAX_HOURLY_DAYS * DAY_MS) {
      throw validationError([
        { path: "interval", message: `an hourly series covers at most ${MAX_HOURLY_DAYS} days; use interval=day` },
      ]);
    }
    return c.json(
      await computeStats(getDb(c.env.DB), {
        since,
        until,
        sourceId: q.sourceId,
        interval,
        timeZone,
        limitBytes: config.d1LimitBytes,
      }),
      200,
    );
  },
);
