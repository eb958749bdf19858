import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { validationHook } from "../../lib/validation";
import { toNormalizedCall } from "../../model/calls/normalized";
import { explainForward } from "../../model/filters/explain-call";
import { type Db, getDb } from "../../storage/db/client";
import { calls, destinations } from "../../storage/db/schema";
import type { AppEnv } from "../app-env";

const params = z.object({
  sourceId: z.string().openapi({ param: { name: "sourceId", in: "path" }, example: "src_default" }),
  voiceId: z.string().openapi({ param: { name: "voiceId", in: "path" }, example: "260326152224160100152" }),
});

const explanation = z
  .object({
    destinationId: z.string(),
    name: z.string(),
    type: z.string(),
    matched: z.boolean(),
    reason: z.string().nullable().openapi({
      description: "Why not: disabled, source not selected, event not subscribed, or the failing filter condition",
      example: 'filter: intentCode: "401" is not in ["302","303"]',
    }),
  })
  .openapi("ForwardExplanation");

/** For every destination (at most 500): whether the stored call is forwarded to it, and if not, why. */
export async function explainCall(db: Db, sourceId: string, voiceId: string) {
  const row = await db
    .select()
    .from(calls)
    .where(and(eq(calls.sourceId, sourceId), eq(calls.voiceId, voiceId)))
    .get();
  if (!row) throw new AppError("not_found", `No call ${voiceId} from source ${sourceId}`);
  const call = toNormalizedCall(row);
  const all = await db.select().from(destinations).orderBy(destinations.createdAt).limit(500);
  return all.map((d) => explainForward(d, call));
}

/** `GET /api/v1/calls/{sourceId}/{voiceId}/explain`: why a call was (not) forwarded to each destination. */
export const explainRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/{sourceId}/{voiceId}/explain",
    summary: "Explain why a call was (not) forwarded",
    description:
      "For every destination (at most 500), whether the stored call matches it now and, if not, the first reason: " +
      "disabled, source not selected, `call.reported` not subscribed, or which filter condition failed with the call's value.",
    request: { params },
    responses: {
      200: jsonContent(z.object({ data: z.array(explanation) }), "One explanation per destination"),
      404: errorResponse,
    },
  }),
  async (c) => {
    const { sourceId, voiceId } = c.req.valid("param");
    return c.json({ data: await explainCall(getDb(c.env.DB), sourceId, voiceId) }, 200);
  },
);
