import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, asc, count, desc, eq, gte, lt, max, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { AppEnv } from "../app-env";
import { type Db, getDb } from "../db/client";
import { calls, deliveries, deliveryStatuses, destinations, pushes } from "../db/schema";
import { errorResponse, jsonContent } from "../lib/openapi";
import { instantParam } from "../lib/query-params";
import { validationError, validationHook } from "../lib/validation";

const DAY_MS = 24 * 3600 * 1000;
/** Longest window one request may aggregate over. */
const MAX_WINDOW_DAYS = 400;
/** Longest breakdown list. */
const TOP = 50;

const statsQuery = z.object({
  since: instantParam.optional().openapi({ description: "Window start, inclusive (default: 24 h before `until`)" }),
  until: instantParam.optional().openapi({ description: "Window end, exclusive (default: now)" }),
  sourceId: z.string().min(1).max(100).optional(),
});

const statsOutput = z
  .object({
    window: z.object({ since: z.string(), until: z.string() }),
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
  })
  .openapi("Stats");

const total = (column: SQLiteColumn) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

/** Rows of the window (and source): `+` keeps SQLite on the time index, so the window bounds the rows read. */
function within(time: SQLiteColumn, source: SQLiteColumn, q: { since: number; until: number; sourceId?: string }) {
  return and(
    gte(time, q.since),
    lt(time, q.until),
    q.sourceId === undefined ? undefined : sql`+${source} = ${q.sourceId}`,
  );
}

/** Counts over `[since, until)` (of one source, when given): `GET /stats` and the console's overview. */
export async function computeStats(db: Db, window: { since: number; until: number; sourceId?: string }) {
  const ofCalls = within(calls.receivedAt, calls.sourceId, window);
  const [pushTotals, callTotals, byIntent, byCallDescription, byTask, byDestination] = await db.batch([
    db
      .select({ pushes: count(), records: total(pushes.records), rejected: total(pushes.rejectedCount) })
      .from(pushes)
      .where(within(pushes.receivedAt, pushes.sourceId, window)),
    db
      .select({ calls: count(), connected: total(calls.connected) })
      .from(calls)
      .where(ofCalls),
    db
      .select({ intentCode: calls.intentCode, intent: max(calls.intent), count: count() })
      .from(calls)
      .where(ofCalls)
      .groupBy(calls.intentCode)
      .orderBy(desc(count()), asc(calls.intentCode))
      .limit(TOP),
    db
      .select({ callDescription: calls.callDescription, label: max(calls.callDescriptionLabel), count: count() })
      .from(calls)
      .where(ofCalls)
      .groupBy(calls.callDescription)
      .orderBy(desc(count()), asc(calls.callDescription))
      .limit(TOP),
    db
      .select({ taskId: calls.taskId, count: count(), connected: total(calls.connected) })
      .from(calls)
      .where(ofCalls)
      .groupBy(calls.taskId)
      .orderBy(desc(count()), asc(calls.taskId))
      .limit(TOP),
    db
      .select({
        destinationId: deliveries.destinationId,
        name: max(destinations.name),
        status: deliveries.status,
        count: count(),
      })
      .from(deliveries)
      .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
      .where(within(deliveries.createdAt, deliveries.sourceId, window))
      .groupBy(deliveries.destinationId, deliveries.status)
      .orderBy(desc(count()), asc(deliveries.destinationId), asc(deliveries.status))
      .limit(TOP),
  ]);
  const pushed = pushTotals[0] ?? { pushes: 0, records: 0, rejected: 0 };
  const called = callTotals[0] ?? { calls: 0, connected: 0 };
  return {
    window: { since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString() },
    ...pushed,
    ...called,
    connectRate: called.calls === 0 ? null : called.connected / called.calls,
    byIntent,
    byCallDescription,
    byTask,
    deliveries: byDestination,
  };
}

/** `/api/v1/stats`: counts over a time window. */
export const statsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "Counts over a window",
    description: `Push, record and rejected counts from the push log, call counts and breakdowns from the calls, both by when they were received; delivery counts by when the delivery was created. Default window: the last 24 h; at most ${MAX_WINDOW_DAYS} days. Each list holds the top ${TOP} by count.`,
    request: { query: statsQuery },
    responses: { 200: jsonContent(statsOutput, "The counts"), 400: errorResponse },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const until = q.until ?? Date.now();
    const since = q.since ?? until - DAY_MS;
    if (since >= until) throw validationError([{ path: "until", message: "must be after since" }]);
    if (until - since > MAX_WINDOW_DAYS * DAY_MS) {
      throw validationError([{ path: "since", message: `the window is longer than ${MAX_WINDOW_DAYS} days` }]);
    }
    return c.json(await computeStats(getDb(c.env.DB), { since, until, sourceId: q.sourceId }), 200);
  },
);
