import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { instantParam } from "../../lib/query-params";
import { BACKFILL_BODIES, BACKFILL_CALLS, backfillStep } from "../../pipeline/ingest/history-backfill";
import type { AppEnv } from "../app-env";

const backfillInput = z
  .object({
    since: instantParam.openapi({
      description: "Stream calls received at or after this instant (ISO 8601 or epoch ms)",
    }),
  })
  .strict()
  .openapi("HistoryBackfillInput");

const backfillOutput = z
  .object({
    since: z.number().int().openapi({ description: "The run's start (epoch ms)" }),
    until: z.number().int().openapi({ description: "The run's end: where live streaming began (epoch ms)" }),
    phase: z.enum(["archive", "d1", "done"]).openapi({ description: "What the next step reads" }),
    sent: z.number().int().openapi({ description: "Rows this step sent to the stream" }),
    invalid: z.number().int().openapi({ description: "Rows not sent: they do not match the stream's schema" }),
    scanned: z.number().int().openapi({ description: "Calls (D1) or archived pushes (R2) this step read" }),
    through: z.number().int().nullable().openapi({ description: "Received time this step reached (epoch ms)" }),
    complete: z.boolean().openapi({ description: "Whether the whole run is done" }),
  })
  .openapi("HistoryBackfillStep");

/** `/api/v1/history`: streaming what was stored before the calls stream existed. */
export const historyRoutes = new OpenAPIHono<AppEnv>().openapi(
  createRoute({
    method: "post",
    path: "/backfill",
    summary: "Stream stored calls to the calls stream (one step)",
    description:
      "Sends calls stored before the calls stream covered them, oldest first: pushes archived in R2 whose calls D1 no " +
      `longer holds (${BACKFILL_BODIES} bodies a step), then the calls D1 holds (${BACKFILL_CALLS} a step), up to where ` +
      "live streaming began. Post the same body until `complete`; the run's position is kept in D1, so a run stopped " +
      "half-way goes on where it was, and a finished one sends nothing again. 409 without a `CALLS_STREAM` binding.",
    request: { body: { content: { "application/json": { schema: backfillInput } }, required: true } },
    responses: {
      200: jsonContent(backfillOutput, "What this step did"),
      400: errorResponse,
      409: errorResponse,
    },
  }),
  async (c) => c.json(await backfillStep(c.env, c.req.valid("json").since), 200),
);
