import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { getConfig } from "../../lib/config";
import { newId } from "../../lib/crypto";
import { cursorParam } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { instantParam } from "../../lib/query-params";
import { assertWindow, untilAfterSince } from "../../lib/time-window";
import { fieldIssues, validationError, validationHook } from "../../lib/validation";
import { destinationTypes, getDestinationType } from "../../messages/destinations/registry";
import { rotateSecret } from "../../messages/destinations/rotate-secret";
import { destinationOptionsInput, resolveOptions } from "../../messages/options";
import { parseTemplate } from "../../messages/template";
import { defaultEvents, eventsInput, eventTypes } from "../../model/events/types";
import { REPLAY_SCAN_LIMIT, replayCalls, replayCursor } from "../../pipeline/delivery/replay";
import { RETRY_CHUNK, retryableStatuses, retryCursor, retryNow } from "../../pipeline/delivery/retry-now";
import { testSend } from "../../pipeline/delivery/test-send";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { pendingFields } from "../../pipeline/dispatch/plan";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { circuitStates, deliveries, destinations, sources } from "../../storage/db/schema";
import { DEFAULT_SOURCE } from "../../storage/sources";
import type { AppEnv } from "../app-env";
import { destinationView } from "./destination-view";
import { filterSchema } from "./filter-schema";

const typeNames = Object.keys(destinationTypes) as [string, ...string[]];

/** What creating a destination takes (the console validates its forms with it too). */
export const destinationInput = z.object({
  name: z.string().trim().min(1).max(100),
  type: z.enum(typeNames),
  config: z.record(z.string(), z.unknown()).openapi({ description: "Type-specific settings; see the README's table" }),
  filter: filterSchema.optional().openapi({ type: "object", description: "Which calls to forward; {} is every call" }),
  sourceIds: z
    .array(z.string())
    .max(100)
    .optional()
    .openapi({ description: "Only calls from these sources; empty: all" }),
  options: destinationOptionsInput.optional(),
  template: z
    .string()
    .regex(/\S/, "must not be blank; null removes the template")
    .nullable()
    .optional()
    .openapi({
      description:
        "The message text (chat types, in the platform's markup) or the JSON body (webhook), with `{{field}}` " +
        "for any field of the call record; null: the default layout. See the README's templates section.",
      example: "*{{intent}}* ({{intentCode}}) from {{callee}}, {{callDuration}}",
    }),
  events: eventsInput.optional().openapi({
    description:
      'Event types this destination receives (default `["call.reported"]`); `filter` applies to `call.reported` only. ' +
      "See the README's Events section for each type's `data`.",
    example: ["call.reported", "records.rejected", "pushes.silent", "digest.daily"],
  }),
  enabled: z.boolean().optional(),
});

/** What editing a destination takes: every field but its type, each optional. */
export const destinationPatch = destinationInput.omit({ type: true }).partial().strict();

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

async function checkConfig(env: Env, type: string, config: Record<string, unknown>) {
  const parsed = getDestinationType(type)
    .configSchema({ allowHttp: getConfig(env).allowHttpDestinations })
    .safeParse(config);
  if (!parsed.success) throw validationError(fieldIssues(parsed.error, ["config"]));
  return parsed.data;
}

/** The template if its fields exist and the type can render it; a 400 at `template` otherwise. */
function checkTemplate<T extends string | null | undefined>(type: string, template: T): T {
  if (typeof template !== "string") return template;
  const parsed = parseTemplate(template);
  const problem = parsed.ok ? getDestinationType(type).checkTemplate(parsed.parts) : undefined;
  const messages = parsed.ok ? (problem === undefined ? [] : [problem]) : parsed.issues.map((i) => i.message);
  if (messages.length > 0) throw validationError(messages.map((message) => ({ path: "template", message })));
  return template;
}

async function checkSources(env: Env, ids: readonly string[] | undefined) {
  if (!ids || ids.length === 0) return;
  const found = await getDb(env.DB).select({ id: sources.id }).from(sources).where(inJsonArray(sources.id, ids));
  const known = new Set(found.map((s) => s.id));
  if (getConfig(env).pushToken !== undefined) known.add(DEFAULT_SOURCE.id);
  const issues = ids.flatMap((id, i) =>
    known.has(id) ? [] : [{ path: `sourceIds[${i}]`, message: `Unknown source ${id}` }],
  );
  if (issues.length > 0) throw validationError(issues);
}

export async function findDestination(env: Env, id: string) {
  const row = await getDb(env.DB).select().from(destinations).where(eq(destinations.id, id)).get();
  if (!row) throw new AppError("not_found", `No destination ${id}`);
  return row;
}

/** Moves a re-enabled destination's paused deliveries back to the queue. */
async function resumePaused(env: Env, destinationId: string, now: number) {
  const resumed = await getDb(env.DB)
    .update(deliveries)
    .set({ ...pendingFields(now), updatedAt: now })
    .where(and(eq(deliveries.destinationId, destinationId), eq(deliveries.status, "paused")))
    .returning({ id: deliveries.id });
  return resumed.map((r) => r.id);
}

/** Creates a destination from checked input; `secret` is a webhook's signing secret, to show once. */
export async function createDestination(env: Env, input: z.output<typeof destinationInput>, now: number) {
  const type = getDestinationType(input.type);
  const config = await checkConfig(env, input.type, input.config);
  const template = checkTemplate(input.type, input.template ?? null);
  await checkSources(env, input.sourceIds);
  const [row] = await getDb(env.DB)
    .insert(destinations)
    .values({
      id: newId("dst"),
      name: input.name,
      type: input.type,
      config,
      filter: input.filter ?? {},
      sourceIds: input.sourceIds ?? [],
      options: resolveOptions(input.options ?? {}, type.chat),
      template,
      events: input.events ?? defaultEvents,
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const view = destinationView(row as NonNullable<typeof row>);
  const secret = input.type === "webhook" && typeof config.secret === "string" ? config.secret : undefined;
  return { view, secret };
}

/** Applies a checked patch; re-enabling resumes the paused deliveries, whose ids the caller queues. */
export async function updateDestination(env: Env, id: string, patch: z.output<typeof destinationPatch>, now: number) {
  const current = await findDestination(env, id);
  const type = getDestinationType(current.type);
  const config = patch.config
    ? await checkConfig(env, current.type, { ...current.config, ...patch.config })
    : undefined;
  const template = checkTemplate(current.type, patch.template);
  await checkSources(env, patch.sourceIds);
  const enabling = patch.enabled === true && !current.enabled;
  const [row] = await getDb(env.DB)
    .update(destinations)
    .set({
      name: patch.name,
      config,
      filter: patch.filter,
      sourceIds: patch.sourceIds,
      options: patch.options ? resolveOptions({ ...current.options, ...patch.options }, type.chat) : undefined,
      template,
      events: patch.events,
      enabled: patch.enabled,
      disabledReason: patch.enabled === true ? null : undefined,
      updatedAt: now,
    })
    .where(eq(destinations.id, id))
    .returning();
  return { row: row as NonNullable<typeof row>, resumedIds: enabling ? await resumePaused(env, id, now) : [] };
}

/** Deletes a destination; its unsent deliveries are marked failed. */
export async function deleteDestination(env: Env, id: string, now: number) {
  await findDestination(env, id);
  const db = getDb(env.DB);
  await runBatch(env.DB, [
    db.delete(destinations).where(eq(destinations.id, id)),
    db
      .update(deliveries)
      .set({
        status: "failed",
        lastError: "destination was deleted",
        nextAttemptAt: null,
        leaseUntil: null,
        updatedAt: now,
      })
      .where(and(eq(deliveries.destinationId, id), inArray(deliveries.status, ["pending", "retrying", "paused"]))),
  ]);
}

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
      const rows = await getDb(c.env.DB).select().from(destinations).orderBy(destinations.createdAt).limit(500);
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
        "sends the deliveries paused while it was disabled.",
      request: {
        params: idParam,
        body: { content: { "application/json": { schema: destinationPatch } }, required: true },
      },
      responses: { 200: jsonContent(destinationOutput, "The destination"), 400: errorResponse, 404: errorResponse },
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
