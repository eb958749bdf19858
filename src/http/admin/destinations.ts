import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getConfig } from "../../lib/config";
import { cursorParam } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { instantParam } from "../../lib/query-params";
import { assertWindow, untilAfterSince } from "../../lib/time-window";
import { fieldIssues, validationError, validationHook } from "../../lib/validation";
import { rotateSecret } from "../../messages/destinations/rotate-secret";
import { eventTypes } from "../../model/events/types";
import { REPLAY_SCAN_LIMIT, replayCalls, replayCursor } from "../../pipeline/delivery/replay";
import { RETRY_CHUNK, retryableStatuses, retryCursor, retryNow } from "../../pipeline/delivery/retry-now";
import { testSend } from "../../pipeline/delivery/test-send";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { getDb } from "../../storage/db/client";
import { circuitStates } from "../../storage/db/schema";
import type { AppEnv } from "../app-env";
import { destinationInput, destinationPatch } from "./destination-input";
import {
  createDestination,
  deleteDestination,
  findDestination,
  listDestinations,
  updateDestination,
} from "./destination-service";
import { destinationView } from "./destination-view";
import { filterSchema } from "./filter-schema";

const destinationOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    config: z.record(z.string(), z.unknown()),
    filter: z.record(z.string(), z.unknown()),
    sourceIds: z.array(z.string()),
    options: z.record(z.string(), z.unknown()),
    template: z.string().nullable(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    circuit: z.enum(circuitStates).openapi({
      description:
        "The circuit breaker: `open` after 5 failed or timed-out attempts in a row (deliveries held, no attempt " +
        "spent, until `openUntil`), `half_open` while one probe delivery is out, `closed` otherwise",
    }),
    openUntil: z.string().nullable().openapi({
      description:
        "`open`: when the cool-down ends (30 s, doubling up to 10 min); `half_open`: when the probe's lease ends",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Destination");

const idParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dst_..." }) });

const testSendOutput = z
  .object({
    ok: z.boolean().openapi({ description: "Whether a delivery would count as delivered" }),
    statusCode: z.number().int().nullable().openapi({ description: "null when no answer came" }),
    durationMs: z.number().int(),
    verdict: z.enum(["delivered", "retry", "failed"]),
    responseBody: z.string().nullable().openapi({ description: "The first 1 KB of the answer" }),
    error: z.string().nullable(),
  })
  .openapi("TestSendResult");

const testSendInput = z
  .object({
    event: z
      .enum(eventTypes)
      .default("call.reported")
      .openapi({ description: "The event type to send a realistic sample of", example: "records.rejected" }),
  })
  .strict()
  .openapi("TestSendInput");

const replayInput = z
  .object({
    since: instantParam.openapi({ description: "Calls received at or after this instant (ISO 8601 or epoch ms)" }),
    until: instantParam
      .optional()
      .openapi({ description: "Calls received before this instant (ISO 8601 or epoch ms); default: now" }),
    filter: filterSchema.optional().openapi({ type: "object", description: "Only calls that also match this filter" }),
    cursor: cursorParam(replayCursor),
  })
  .strict()
  .refine(...untilAfterSince);

const replayOutput = z
  .object({
    created: z.number().int().openapi({ description: "Deliveries created by this request" }),
    scanned: z.number().int().openapi({ description: "Stored calls read in the window" }),
    complete: z.boolean().openapi({ description: "Whether the whole window is done" }),
    nextCursor: z.string().nullable().openapi({ description: "`cursor` for the next request; null when complete" }),
  })
  .openapi("ReplayResult");

const retryInput = z
  .object({
    status: z
      .array(z.enum(retryableStatuses))
      .min(1)
      .openapi({ example: ["failed", "paused", "retrying"] }),
    since: instantParam.optional().openapi({ description: "Created at or after this instant (ISO 8601 or epoch ms)" }),
    until: instantParam.optional().openapi({ description: "Created before this instant (ISO 8601 or epoch ms)" }),
    cursor: cursorParam(retryCursor),
  })
  .strict()
  .refine(...untilAfterSince);

const retryOutput = z
  .object({
    retried: z.number().int().openapi({ description: "Deliveries sent again by this request" }),
    nextCursor: z.string().nullable().openapi({ description: "`cursor` for the next request; null when done" }),
  })
  .openapi("RetryResult");

const rotateOutput = z.object({
  secret: z.string().openapi({ example: "whsec_..." }),
  previousSecretExpiresAt: z.string().openapi({ description: "Until when the previous secret signs too" }),
});

/** `/api/v1/destinations`: where matching calls are forwarded. */
export const destinationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Create a destination",
      description: "For a webhook, a signing secret is generated unless given, and returned only in this response.",
      request: { body: { content: { "application/json": { schema: destinationInput } }, required: true } },
      responses: {
        201: jsonContent(destinationOutput.extend({ secret: z.string().optional() }), "Created"),
        400: errorResponse,
      },
    }),
    async (c) => {
      const { view, secret } = await createDestination(c.env, c.req.valid("json"), Date.now());
      return c.json({ ...view, ...(secret === undefined ? {} : { secret }) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "List destinations",
      responses: {
        200: jsonContent(z.object({ data: z.array(destinationOutput) }), "Every destination (at most 500)"),
      },
    }),
    async (c) => {
      const rows = await listDestinations(c.env);
      return c.json({ data: rows.map(destinationView) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      summary: "Get a destination",
      request: { params: idParam },
      responses: { 200: jsonContent(destinationOutput, "The destination"), 404: errorResponse },
    }),
    async (c) => c.json(destinationView(await findDestination(c.env, c.req.valid("param").id)), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      summary: "Change a destination",
      description:
        "`config` is merged into the stored one; `template: null` removes the template. Re-enabling a destination " +
        "sends the deliveries paused while it was disabled. Credentials follow their host: a `config` that moves a " +
        "webhook's `url` or Telegram's `apiBase` to another origin must give the credentials sent there again " +
        "(`headers`, `botToken`), or the answer is 422 `credentials_required` naming them in `details`. A webhook's " +
        "signing secret stays: receivers only ever see signatures made with it.",
      request: {
        params: idParam,
        body: { content: { "application/json": { schema: destinationPatch } }, required: true },
      },
      responses: {
        200: jsonContent(destinationOutput, "The destination"),
        400: errorResponse,
        404: errorResponse,
        422: errorResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { row, resumedIds } = await updateDestination(c.env, id, c.req.valid("json"), Date.now());
      enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, resumedIds, { destinationId: id });
      return c.json(destinationView(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      summary: "Delete a destination",
      description: "Its deliveries stay on record; those not yet sent are marked failed.",
      request: { params: idParam },
      responses: { 204: { description: "Deleted" }, 404: errorResponse },
    }),
    async (c) => {
      await deleteDestination(c.env, c.req.valid("param").id, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/test",
      summary: "Send a test event",
      description:
        'Takes an optional JSON body `{"event": "<type>"}` and sends a realistic sample of that event (default ' +
        "`call.reported`: the sample call) once, rendered and signed as a " +
        "delivery would be, and reports how the answer reads " +
        "(`verdict`: `delivered`, `retry` or `failed`, the last one disabling the destination in a real delivery). " +
        "Nothing is stored and the destination is not changed, whatever the answer; a disabled destination can be tested too.",
      // The body is optional, so it is read by the handler: a declared body makes an empty one a 400.
      request: { params: idParam },
      responses: {
        200: jsonContent(testSendOutput, "What the receiver answered"),
        400: errorResponse,
        404: errorResponse,
      },
    }),
    async (c) => {
      const destination = await findDestination(c.env, c.req.valid("param").id);
      const text = await c.req.text();
      let body: unknown = {};
      try {
        body = text.trim() ? JSON.parse(text) : {};
      } catch {
        throw validationError([{ path: "", message: "Body must be JSON" }]);
      }
      const input = testSendInput.safeParse(body);
      if (!input.success) throw validationError(fieldIssues(input.error));
      return c.json(await testSend(destination, getConfig(c.env).deliveryTimeoutMs, input.data.event), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/replay",
      summary: "Deliver stored calls that were never delivered",
      description:
        "Creates a delivery for each stored call received in `[since, until)` that matches the destination's sources and " +
        `filter (and \`filter\` when given) and has none to it yet; calls that have one are left alone. Reads at most ${REPLAY_SCAN_LIMIT} ` +
        "calls per request: until `complete`, post the same body again with `cursor` set to `nextCursor`. " +
        "The deliveries are queued at once, or paused while the destination is disabled.",
      request: {
        params: idParam,
        body: { content: { "application/json": { schema: replayInput } }, required: true },
      },
      responses: {
        200: jsonContent(replayOutput, "What this chunk created"),
        400: errorResponse,
        404: errorResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const destination = await findDestination(c.env, id);
      const now = Date.now();
      const input = c.req.valid("json");
      const window = { ...input, until: input.until ?? now };
      assertWindow(window.since, window.until, input.until !== undefined);
      const { pendingIds, ...result } = await replayCalls(c.env.DB, destination, window, now);
      enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, pendingIds, { destinationId: id });
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/retry",
      summary: "Retry a destination's deliveries now",
      description:
        "Sends again now every delivery of the destination in one of `status` (created in `[since, until)` when " +
        `given), oldest first, at most ${RETRY_CHUNK} per request: while \`nextCursor\` is not null, post the same body ` +
        "again with `cursor` set to it. Failed and paused deliveries start their retry schedule again (`attempts` back " +
        "to 0); retrying ones keep their attempts. 409 while the destination is disabled.",
      request: {
        params: idParam,
        body: { content: { "application/json": { schema: retryInput } }, required: true },
      },
      responses: {
        200: jsonContent(retryOutput, "What this chunk retried"),
        400: errorResponse,
        404: errorResponse,
        409: errorResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const destination = await findDestination(c.env, id);
      if (!destination.enabled) {
        throw new AppError(
          "conflict",
          `Destination ${id} is disabled: enable it first (PATCH /api/v1/destinations/${id} {"enabled": true}), which also resumes its paused deliveries`,
        );
      }
      const input = c.req.valid("json");
      const { ids, nextCursor } = await retryNow(
        c.env,
        { destinationId: id, statuses: input.status, since: input.since, until: input.until, cursor: input.cursor },
        Date.now(),
      );
      return c.json({ retried: ids.length, nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/rotate-secret",
      summary: "Rotate a webhook's signing secret",
      description:
        "Returns the new secret, only in this response. For 24 hours deliveries carry two signatures in " +
        "`webhook-signature`, one per secret, so the receiver can switch at any time in between.",
      request: { params: idParam },
      responses: {
        200: jsonContent(rotateOutput, "The new secret"),
        400: errorResponse,
        404: errorResponse,
        409: errorResponse,
      },
    }),
    async (c) => {
      const destination = await findDestination(c.env, c.req.valid("param").id);
      const { secret, previousSecretExpiresAt } = await rotateSecret(getDb(c.env.DB), destination, Date.now());
      return c.json({ secret, previousSecretExpiresAt: new Date(previousSecretExpiresAt).toISOString() }, 200);
    },
  );
