import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { validationHook } from "../../lib/validation";
import { PREVIEW_SAMPLE, previewFilter } from "../../model/filters/preview";
import { getDb } from "../../storage/db/client";
import type { AppEnv } from "../app-env";
import { filterSchema } from "./filter-schema";

const previewInput = z
  .object({
    filter: filterSchema.openapi({ type: "object", description: "The filter to try; {} matches every call" }),
    sourceIds: z.array(z.string()).max(100).optional().openapi({ description: "Only calls from these sources" }),
  })
  .strict();

const previewOutput = z
  .object({
    matched: z.number().int().openapi({ description: "Calls of the sample the filter matches" }),
    sampled: z
      .number()
      .int()
      .openapi({ description: `Calls read: the newest ${PREVIEW_SAMPLE}, or fewer` }),
  })
  .openapi("FilterPreview");

/** `/api/v1/filters`: trying a filter on stored calls. */
export const filterRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "post",
    path: "/preview",
    summary: "Preview a filter",
    description: `How many of the newest ${PREVIEW_SAMPLE} stored calls (of \`sourceIds\`, when given) the filter would match. Changes nothing.`,
    request: { body: { content: { "application/json": { schema: previewInput } }, required: true } },
    responses: { 200: jsonContent(previewOutput, "The count"), 400: errorResponse },
  }),
  async (c) => {
    const { filter, sourceIds } = c.req.valid("json");
    return c.json(await previewFilter(getDb(c.env.DB), filter, sourceIds), 200);
  },
);
