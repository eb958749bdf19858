import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { cursorParam } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { idListParam, instantParam, limitParam, listParam } from "../../lib/query-params";
import { untilAfterSince } from "../../lib/time-window";
import { validationHook } from "../../lib/validation";
import { eventTypes } from "../../model/events/types";
import { type RetryableStatus, retryableStatuses, retryNow } from "../../pipeline/delivery/retry-now";
import { readAttemptDetail } from "../../storage/attempt-details";
import { type Db, getDb } from "../../storage/db/client";
import { calls, deliveries, deliveryStatuses, destinations } from "../../storage/db/schema";
import { listAttempts } from "../../storage/delivery-attempts";
import { type DeliverySearch, httpClasses, searchDeliveries } from "../../storage/delivery-search";
import type { AppEnv } from "../app-env";
import { calleeParam } from "./callee-param";
import { deliveryDetailOutput, deliveryOutput } from "./delivery-schema";
import { deliveryTimeline } from "./delivery-timeline";
import { attemptView, deliveryView, timelineView } from "./delivery-view";

/** Most attempts `GET /deliveries/{id}` shows: the latest ones. */
const MAX_ATTEMPTS_SHOWN = 200;

const listQuery = z
  .object({
    status: listParam(deliveryStatuses)
      .optional()
      .openapi({ description: `Any of these statuses, comma-separated: ${deliveryStatuses.join(", ")}` }),
    destinationId: idListParam().optional().openapi({ description: "Any of these destination ids, comma-separated" }),
    httpClass: listParam(httpClasses)
      .optional()
      .openapi({ description: "The class of the last HTTP answer, comma-separated; `none`: no answer yet" }),
    eventType: listParam(eventTypes)
      .optional()
      .openapi({ description: "`call.reported` (a call) or event types, comma-separated" }),
    voiceId: z.string().min(1).max(100).optional(),
    callee: calleeParam.optional(),
    since: instantParam.optional().openapi({ description: "Created at or after this instant (ISO 8601 or epoch ms)" }),
    until: instantParam.optional().openapi({ description: "Created before this instant (ISO 8601 or epoch ms)" }),
    limit: limitParam,
    cursor: cursorParam(z.object({ createdAt: z.number().int(), id: z.string() })),
  })
  .refine(...untilAfterSince);

const idParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dlv_..." }) });

async function findDelivery(db: ReturnType<typeof getDb>, id: string) {
  const found = await db
    .select({
      delivery: deliveries,
      destination: {
        name: destinations.name,
        enabled: destinations.enabled,
        circuit: destinations.circuit,
        openUntil: destinations.openUntil,
      },
      callId: calls.id,
      callee: calls.callee,
    })
    .from(deliveries)
    .leftJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .leftJoin(calls, and(eq(calls.sourceId, deliveries.sourceId), eq(calls.voiceId, deliveries.voiceId)))
    .where(eq(deliveries.id, id))
    .get();
  if (!found) throw new AppError("not_found", `No delivery ${id}`);
  return found;
}

/** A page of the delivery log, newest first: `GET /deliveries`. */
export async function listDeliveries(db: Db, q: z.output<typeof listQuery>) {
  const search: DeliverySearch = {
    statuses: q.status,
    destinationIds: q.destinationId,
    httpClasses: q.httpClass,
    eventTypes: q.eventType,
    voiceId: q.voiceId,
    calleeKey: q.callee,
    since: q.since,
    until: q.until,
  };
  const { data, nextCursor } = await searchDeliveries(db, search, { limit: q.limit, cursor: q.cursor });
  return { data: data.map((r) => deliveryView(r.delivery, r.destinationName)), nextCursor };
}

/** Latest attempts of a delivery whose details (request and answer) a read fetches from R2. */
export const DETAILS_READ = 10;

/**
 * A delivery with its attempts (oldest first, the latest {@link MAX_ATTEMPTS_SHOWN}), the details of the latest
 * {@link DETAILS_READ} read from their batches' R2 objects, and its timeline: `GET /deliveries/{id}` and its page.
 */
export async function getDeliveryDetail(env: Env, id: string, now: number) {
  const db = getDb(env.DB);
  const { delivery, destination, callId, callee } = await findDelivery(db, id);
  const attempts = await listAttempts(db, id, MAX_ATTEMPTS_SHOWN);
  const firstRead = attempts.length - DETAILS_READ;
  const lookups = await Promise.all(
    attempts.map((a, i) =>
      i < firstRead
        ? ({ state: "not_read" } as const)
        : readAttemptDetail(env.ARCHIVE, a.detailKey, id, a.attemptedAt).catch((err: unknown) => {
            console.error(JSON.stringify({ msg: "attempt details unreadable", key: a.detailKey, error: String(err) }));
            return { state: "not_kept" } as const;
          }),
    ),
  );
  return {
    ...deliveryView(delivery, destination?.name ?? null),
    callId,
    callee,
    attemptLog: attempts.map((a, i) => {
      const found = lookups[i] ?? { state: "none" as const };
      return {
        ...attemptView(a),
        detailStatus: found.state,
        detail:
          found.state === "kept"
            ? {
                request: found.detail.request,
                answer: found.detail.answer,
                durationMs: found.detail.durationMs,
                error: found.detail.error,
              }
            : null,
      };
    }),
    timeline: timelineView(deliveryTimeline(delivery, attempts, destination, now)),
  };
}

/** Statuses a delivery can be retried from by hand, and what one calls it when it is in none of them. */
const handRetries = {
  retry: { statuses: retryableStatuses, refused: "Only a failed, paused or retrying delivery can be retried" },
  resend: { statuses: ["delivered"], refused: "Only a delivered delivery can be force-resent (retry the others)" },
} as const;

/** Sends a failed, paused or retrying delivery now (attempts kept): `POST /deliveries/{id}/retry` and the console. */
export function retryDelivery(env: Env, id: string, now: number) {
  return sendAgain(env, id, now, "retry");
}

/**
 * Sends a delivered delivery again, from the start of its retry schedule: `POST /deliveries/{id}/resend` and the
 * console's force-resend. The receiver gets the same delivery id (`webhook-id`), so one that drops duplicates drops it.
 */
export function resendDelivery(env: Env, id: string, now: number) {
  return sendAgain(env, id, now, "resend");
}

async function sendAgain(env: Env, id: string, now: number, how: keyof typeof handRetries) {
  const db = getDb(env.DB);
  const { delivery, destination, callId } = await findDelivery(db, id);
  const { statuses, refused } = handRetries[how];
  if (!(statuses as readonly string[]).includes(delivery.status)) {
    throw new AppError("conflict", `${refused}; ${id} is ${delivery.status}`);
  }
  if (!destination) throw new AppError("conflict", `The destination of ${id} was deleted`);
  if (!destination.enabled) {
    throw new AppError(
      "conflict",
      `Destination ${delivery.destinationId} is disabled: enable it first (PATCH /api/v1/destinations/${delivery.destinationId} {"enabled": true}), which also resumes its paused deliveries`,
    );
  }
  if (callId === null) throw new AppError("conflict", `The call of ${id} is no longer stored`);
  const retried = await retryNow(
    env,
    { destinationId: delivery.destinationId, statuses: [delivery.status as RetryableStatus | "delivered"], ids: [id] },
    now,
  );
  if (retried.ids.length === 0) {
    throw new AppError("conflict", `${id} is being attempted right now or changed meanwhile; read it again`);
  }
  const updated = await db.select().from(deliveries).where(eq(deliveries.id, id)).get();
  if (!updated) throw new AppError("not_found", `No delivery ${id}`);
  return { delivery: updated, destinationName: destination.name };
}

/** `/api/v1/deliveries`: the delivery log, and retrying a delivery by hand. */
export const deliveryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "List deliveries",
      description: "Newest first (by creation). Pass `nextCursor` back as `cursor` for the next page.",
      request: { query: listQuery },
      responses: {
        200: jsonContent(z.object({ data: z.array(deliveryOutput), nextCursor: z.string().nullable() }), "A page"),
        400: errorResponse,
      },
    }),
    async (c) => {
      return c.json(await listDeliveries(getDb(c.env.DB), c.req.valid("query")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      summary: "Get a delivery with its attempts and timeline",
      description:
        `Attempts oldest first; at most the latest ${MAX_ATTEMPTS_SHOWN}, the latest ${DETAILS_READ} with the request ` +
        "as sent and the answer (`detail`, secrets redacted) while kept (RAW_RETENTION_DAYS). The timeline: planned, " +
        "each attempt and the wait it set with its reason, and the next attempt with why it is due then.",
      request: { params: idParam },
      responses: {
        200: jsonContent(deliveryDetailOutput, "The delivery"),
        404: errorResponse,
      },
    }),
    async (c) => {
      const { callId: _, callee: __, ...detail } = await getDeliveryDetail(c.env, c.req.valid("param").id, Date.now());
      return c.json(detail, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/retry",
      summary: "Retry a delivery now",
      description:
        "Sends it now. A failed or paused delivery starts its retry schedule again (`attempts` back to 0; earlier " +
        "attempts stay in its log); a retrying one keeps its attempts. 409 for a delivery in any other status or being " +
        "attempted right now, or whose destination is deleted or disabled, or whose call is no longer stored.",
      request: { params: idParam },
      responses: { 200: jsonContent(deliveryOutput, "Queued again"), 404: errorResponse, 409: errorResponse },
    }),
    async (c) => {
      const { delivery, destinationName } = await retryDelivery(c.env, c.req.valid("param").id, Date.now());
      return c.json(deliveryView(delivery, destinationName), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/resend",
      summary: "Force-resend a delivered delivery",
      description:
        "Sends a delivered delivery again, from the start of its retry schedule (`attempts` back to 0; earlier " +
        "attempts stay in its log). The receiver gets the same delivery id (`webhook-id` for a webhook), so a " +
        "receiver that drops duplicates drops it. 409 for a delivery in any other status, or whose destination is " +
        "deleted or disabled, or whose call is no longer stored.",
      request: { params: idParam },
      responses: { 200: jsonContent(deliveryOutput, "Queued again"), 404: errorResponse, 409: errorResponse },
    }),
    async (c) => {
      const { delivery, destinationName } = await resendDelivery(c.env, c.req.valid("param").id, Date.now());
      return c.json(deliveryView(delivery, destinationName), 200);
    },
  );
