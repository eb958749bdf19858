import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import type { AppEnv } from "../app-env";
import { runBatch } from "../db/batch";
import { getDb } from "../db/client";
import { deliveries, destinations, sources } from "../db/schema";
import { enqueueDeliveries } from "../delivery/enqueue";
import { ENQUEUE_GRACE_MS } from "../delivery/plan";
import { filterSchema } from "../filters/schema";
import { getConfig } from "../lib/config";
import { newId } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { fieldIssues, validationError, validationHook } from "../lib/validation";
import { destinationOptionsInput, resolveOptions } from "./options";
import { destinationTypes, getDestinationType } from "./registry";
import { destinationView } from "./view";

const typeNames = Object.keys(destinationTypes) as [string, ...string[]];

const destinationInput = z.object({
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
  enabled: z.boolean().optional(),
});

const destinationPatch = destinationInput.omit({ type: true }).partial().strict();

const destinationOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    config: z.record(z.string(), z.unknown()),
    filter: z.record(z.string(), z.unknown()),
    sourceIds: z.array(z.string()),
    options: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Destination");

const idParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dst_..." }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const errorResponse = json(
  z
    .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
    .openapi("Error"),
  "Error",
);

async function checkConfig(env: Env, type: string, config: Record<string, unknown>) {
  const parsed = getDestinationType(type)
    .configSchema({ allowHttp: getConfig(env).allowHttpDestinations })
    .safeParse(config);
  if (!parsed.success) throw validationError(fieldIssues(parsed.error, ["config"]));
  return parsed.data;
}

async function checkSources(env: Env, ids: readonly string[] | undefined) {
  if (!ids || ids.length === 0) return;
  const found = await getDb(env.DB).select({ id: sources.id }).from(sources).where(inArray(sources.id, ids));
  const known = new Set(found.map((s) => s.id));
  const issues = ids.flatMap((id, i) =>
    known.has(id) ? [] : [{ path: `sourceIds[${i}]`, message: `Unknown source ${id}` }],
  );
  if (issues.length > 0) throw validationError(issues);
}

async function findDestination(env: Env, id: string) {
  const row = await getDb(env.DB).select().from(destinations).where(eq(destinations.id, id)).get();
  if (!row) throw new AppError("not_found", `No destination ${id}`);
  return row;
}

/** Moves a re-enabled destination's paused deliveries back to the queue. */
async function resumePaused(env: Env, destinationId: string, now: number) {
  const resumed = await getDb(env.DB)
    .update(deliveries)
    .set({ status: "pending", nextAttemptAt: now, leaseUntil: now + ENQUEUE_GRACE_MS, updatedAt: now })
    .where(and(eq(deliveries.destinationId, destinationId), eq(deliveries.status, "paused")))
    .returning({ id: deliveries.id });
  return resumed.map((r) => r.id);
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
        201: json(destinationOutput.extend({ secret: z.string().optional() }), "Created"),
        400: errorResponse,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const type = getDestinationType(input.type);
      const config = await checkConfig(c.env, input.type, input.config);
      await checkSources(c.env, input.sourceIds);
      const now = Date.now();
      const [row] = await getDb(c.env.DB)
        .insert(destinations)
        .values({
          id: newId("dst"),
          name: input.name,
          type: input.type,
          config,
          filter: input.filter ?? {},
          sourceIds: input.sourceIds ?? [],
          options: resolveOptions(input.options ?? {}, type.chat),
          enabled: input.enabled ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const view = destinationView(row as NonNullable<typeof row>);
      const secret = input.type === "webhook" && typeof config.secret === "string" ? config.secret : undefined;
      return c.json({ ...view, ...(secret === undefined ? {} : { secret }) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "List destinations",
      responses: { 200: json(z.object({ data: z.array(destinationOutput) }), "Every destination (at most 500)") },
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
      responses: { 200: json(destinationOutput, "The destination"), 404: errorResponse },
    }),
    async (c) => c.json(destinationView(await findDestination(c.env, c.req.valid("param").id)), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      summary: "Change a destination",
      description:
        "`config` is merged into the stored one. Re-enabling a destination sends the deliveries paused while it was disabled.",
      request: {
        params: idParam,
        body: { content: { "application/json": { schema: destinationPatch } }, required: true },
      },
      responses: { 200: json(destinationOutput, "The destination"), 400: errorResponse, 404: errorResponse },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const patch = c.req.valid("json");
      const current = await findDestination(c.env, id);
      const type = getDestinationType(current.type);
      const config = patch.config
        ? await checkConfig(c.env, current.type, { ...current.config, ...patch.config })
        : undefined;
      await checkSources(c.env, patch.sourceIds);
      const now = Date.now();
      const enabling = patch.enabled === true && !current.enabled;
      const [row] = await getDb(c.env.DB)
        .update(destinations)
        .set({
          name: patch.name,
          config,
          filter: patch.filter,
          sourceIds: patch.sourceIds,
          options: patch.options ? resolveOptions({ ...current.options, ...patch.options }, type.chat) : undefined,
          enabled: patch.enabled,
          disabledReason: patch.enabled === true ? null : undefined,
          updatedAt: now,
        })
        .where(eq(destinations.id, id))
        .returning();
      if (enabling) {
        const ids = await resumePaused(c.env, id, now);
        c.executionCtx.waitUntil(
          enqueueDeliveries(c.env.DELIVERY_QUEUE, ids).catch((err) =>
            console.error(
              JSON.stringify({ msg: "enqueue failed; the sweeper will retry", destinationId: id, error: String(err) }),
            ),
          ),
        );
      }
      return c.json(destinationView(row as NonNullable<typeof row>), 200);
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
      const { id } = c.req.valid("param");
      await findDestination(c.env, id);
      const db = getDb(c.env.DB);
      const now = Date.now();
      await runBatch(c.env.DB, [
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
      return c.body(null, 204);
    },
  );
