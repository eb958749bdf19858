import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, asc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { getConfig } from "../../lib/config";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { booleanParam, integerParam, limitParam } from "../../lib/query-params";
import { resolveWindow, timeFieldParam, timezoneParam, windowBoundParam } from "../../lib/time-window";
import { validationHook } from "../../lib/validation";
import { toNormalizedCall } from "../../model/calls/normalized";
import { rawRecord } from "../../model/calls/raw-record";
import { MAX_SCANNED_CALLS, type ScanFields, scanCalls } from "../../model/filters/scan";
import { getDb } from "../../storage/db/client";
import { calls, deliveries, destinations } from "../../storage/db/schema";
import { listAttempts } from "../../storage/delivery-attempts";
import { movedCallHint } from "../../storage/history-state";
import type { AppEnv } from "../app-env";
import { callSchema } from "./call-schema";
import { calleeParam } from "./callee-param";
import { deliveryWithAttempts } from "./delivery-schema";
import { attemptView, deliveryView } from "./delivery-view";
import { filterJsonParam } from "./filter-schema";

/** Most deliveries shown with one call (one per destination that matched it). */
const MAX_CALL_DELIVERIES = 200;
/** Most attempts shown with one call: the latest. */
const MAX_CALL_ATTEMPTS = 1_000;

const listQuery = z
  .object({
    connected: booleanParam.optional(),
    intentCode: z.string().min(1).max(100).optional(),
    taskId: integerParam.optional(),
    sourceId: z.string().min(1).max(100).optional(),
    since: windowBoundParam
      .optional()
      .openapi({ description: "At or after, on `timeField` (default: the call's own time)" }),
    until: windowBoundParam.optional().openapi({ description: "Before, on `timeField`" }),
    timeField: timeFieldParam,
    timezone: timezoneParam.optional(),
    callee: calleeParam.optional(),
    filter: filterJsonParam.optional().openapi({
      type: "string",
      description: `A filter expression as JSON (the Filters section of the README), applied to at most ${MAX_SCANNED_CALLS} calls per request`,
      example: '{"callDuration":{"$gte":30}}',
    }),
    limit: limitParam,
    cursor: cursorParam(z.object({ id: z.number().int(), at: z.number().int().optional() })),
  })
  .strict();

const callParams = z.object({
  sourceId: z.string().openapi({ param: { name: "sourceId", in: "path" }, example: "src_default" }),
  voiceId: z.string().openapi({ param: { name: "voiceId", in: "path" }, example: "260326152224160100152" }),
});

const callDetail = callSchema
  .extend({
    raw: z.unknown().openapi({
      description:
        "The record as received, read from the push's archived body; null once RAW_RETENTION_DAYS removed it",
    }),
    extra: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "Fields of the record outside the known set, kept with the call; usually null" }),
    pushId: z.string().openapi({ description: "The push that last stored this call" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    deliveries: z.array(deliveryWithAttempts),
  })
  .openapi("CallDetail");

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A call search: `where`, the SQL part (fields with an index, and the time window), and `fields`, the fields compared
 * while scanning (`intentCode`, `taskId`: their counts come from the rollups, and an index each would cost a row
 * written per call), so a page reads at most {@link MAX_SCANNED_CALLS} calls for them.
 */
export function callConditions(q: {
  connected?: boolean;
  intentCode?: string;
  taskId?: number;
  sourceId?: string;
  /** Reversed digits of the number or its tail (see `callee-param.ts`). */
  callee?: string;
  since?: number;
  until?: number;
  /** What `since`/`until` bound: the call's own time (default) or its arrival. */
  timeField?: "callTime" | "receivedAt";
}): { where: SQL | undefined; fields: ScanFields } {
  const time = q.timeField === "receivedAt" ? calls.receivedAt : calls.callAt;
  const where = and(
    // `+`: walking ids newest first finds connected (or not) calls soon; the index would sort all of them.
    q.connected === undefined ? undefined : sql`+${calls.connected} = ${q.connected ? 1 : 0}`,
    q.sourceId === undefined ? undefined : eq(calls.sourceId, q.sourceId),
    q.since === undefined ? undefined : gte(time, q.since),
    q.until === undefined ? undefined : lt(time, q.until),
    // A tail of the number is a prefix of its reversed digits: a range on `calls_callee_key_idx`.
    q.callee === undefined ? undefined : and(gte(calls.calleeKey, q.callee), lt(calls.calleeKey, `${q.callee}:`)),
  );
  return { where, fields: { intentCode: q.intentCode, taskId: q.taskId } };
}

/** A call with its record as received and its deliveries with their attempts: `GET /calls/{sourceId}/{voiceId}`. */
export async function getCallDetail(env: Env, sourceId: string, voiceId: string) {
  const db = getDb(env.DB);
  const ofCall = and(eq(deliveries.sourceId, sourceId), eq(deliveries.voiceId, voiceId));
  const [call, found] = await db.batch([
    db
      .select()
      .from(calls)
      .where(and(eq(calls.sourceId, sourceId), eq(calls.voiceId, voiceId))),
    db
      .select({ delivery: deliveries, destinationName: destinations.name })
      .from(deliveries)
      .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
      .where(ofCall)
      .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
      .limit(MAX_CALL_DELIVERIES),
  ]);
  const row = call[0];
  if (!row) {
    const moved = await movedCallHint(env, sourceId, voiceId);
    const message = `No call ${voiceId} from source ${sourceId}`;
    throw moved
      ? new AppError(
          "not_found",
          `${message} in D1; calls received before ${iso(moved.history.before)} moved to history`,
          moved,
        )
      : new AppError("not_found", message);
  }
  const oldestFirst = await listAttempts(
    db,
    found.map((f) => f.delivery.id),
    MAX_CALL_ATTEMPTS,
  );
  return {
    ...toNormalizedCall(row),
    raw: await rawRecord(env, row),
    extra: row.extra,
    pushId: row.pushId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    deliveries: found.map(({ delivery, destinationName }) => ({
      ...deliveryView(delivery, destinationName),
      attemptLog: oldestFirst.filter((a) => a.deliveryId === delivery.id).map(attemptView),
    })),
  };
}

/** `/api/v1/calls`: the stored calls, with their deliveries. */
export const callRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "List calls",
      description: `Newest first: by first arrival, or by the call's own time when \`since\`/\`until\` are on it (the default \`timeField\`). \`connected\`, \`sourceId\`, \`callee\`, \`since\` and \`until\` are applied in the database (\`since\`/\`until\` on the call's own time unless \`timeField=receivedAt\`; a date without offset is read in \`timezone\`, default \`DEFAULT_TIMEZONE\`). Unknown parameters answer 400. \`intentCode\`, \`taskId\` and \`filter\` are applied to at most ${MAX_SCANNED_CALLS} calls per request (their counts are in \`/stats\`): a page can then hold fewer than \`limit\` calls, even none, and still have a \`nextCursor\`; follow it until it is null.`,
      request: { query: listQuery },
      responses: {
        200: jsonContent(
          z.object({ data: z.array(callSchema), nextCursor: z.string().nullable() }),
          "A page of calls; `nextCursor` is null on the last",
        ),
        400: errorResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const window = resolveWindow(q, q.timezone ?? getConfig(c.env).defaultTimezone);
      const { where, fields } = callConditions({ ...q, ...window });
      const byCallTime = q.timeField === "callTime" && (window.since !== undefined || window.until !== undefined);
      const page = await scanCalls(getDb(c.env.DB), {
        where,
        fields,
        filter: q.filter,
        limit: q.limit,
        before: q.cursor,
        byCallTime,
      });
      return c.json({ data: page.calls, nextCursor: page.next === null ? null : encodeCursor({ ...page.next }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{sourceId}/{voiceId}",
      summary: "Get a call",
      description: `The normalized call, the record as received, and its deliveries (at most ${MAX_CALL_DELIVERIES}) with their attempts, oldest first (the latest ${MAX_CALL_ATTEMPTS} in all).`,
      request: { params: callParams },
      responses: { 200: jsonContent(callDetail, "The call"), 404: errorResponse },
    }),
    async (c) => {
      const { sourceId, voiceId } = c.req.valid("param");
      return c.json(await getCallDetail(c.env, sourceId, voiceId), 200);
    },
  );
