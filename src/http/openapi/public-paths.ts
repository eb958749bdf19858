import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { pushBodySchema } from "../../model/calls/record-schema";
import { sampleRecord } from "../../model/calls/sample-call";

const pushResult = z
  .object({
    ok: z.literal(true),
    pushId: z.string().openapi({ example: "psh_..." }),
    accepted: z.number().int().openapi({ description: "Records stored" }),
    rejected: z
      .array(z.object({ index: z.number().int(), voiceId: z.string().nullable(), error: z.string() }))
      .openapi({ description: "Records that could not be read, with why; the others are stored" }),
  })
  .openapi("PushResult", {
    example: { ok: true, pushId: "psh_g63u6topk3zds2kmngf7bsq4vi", accepted: 1, rejected: [] },
  });

const health = z
  .object({
    ok: z.boolean(),
    version: z.string(),
    d1: z.boolean(),
    cron: z.object({
      lastRunAt: z.string().nullable().openapi({ description: "When the cron handler last ran; null before it has" }),
    }),
    migrations: z.object({
      expected: z.string().nullable().openapi({ description: "The newest migration this Worker's code expects" }),
      applied: z.string().nullable().openapi({ description: "The newest migration D1 has applied" }),
      current: z.boolean(),
    }),
    warnings: z.array(z.string()).openapi({ description: "What to fix in the setup (e.g. a placeholder token)" }),
  })
  .openapi("Health");

/** Documents the routes served outside the OpenAPI route builder: the push endpoint, recordings and the health check. */
export function registerPublicPaths(registry: OpenAPIHono["openAPIRegistry"]): void {
  registry.registerPath({
    method: "get",
    path: "/recordings/{token}",
    summary: "Open a call's recording",
    description:
      "The link chat messages carry for calls with a recording (when the platform API credentials are set): the " +
      "HMAC-signed token names the call and expires after `RECORDING_LINK_DAYS`. Redirects to a fresh URL from the platform.",
    security: [],
    request: { params: z.object({ token: z.string().openapi({ param: { name: "token", in: "path" } }) }) },
    responses: {
      302: { description: "To the recording's fresh URL at the platform" },
      403: errorResponse,
      404: errorResponse,
      410: errorResponse,
      502: errorResponse,
    },
  });
  registry.registerPath({
    method: "post",
    path: "/push/{token}",
    summary: "Receive a status-report push",
    description:
      "The URL the voice platform pushes call status reports to. The body is read as JSON whatever its " +
      '`content-type`: `{"array": [records]}`. Each record is stored on its own (upserted on source and ' +
      "`voiceId`); unreadable records are listed in `rejected`. Matching calls are forwarded to destinations.",
    security: [],
    request: {
      params: z.object({
        token: z.string().openapi({ description: "The source's push token (or PUSH_TOKEN for `default`)" }),
      }),
      body: {
        required: true,
        content: {
          "application/json": {
            schema: pushBodySchema.openapi("PushBody", {
              description: "Call status-report records, as the platform sends them (see the README's record table)",
              example: { array: [sampleRecord] },
            }),
          },
        },
      },
    },
    responses: {
      200: jsonContent(pushResult, "Stored"),
      400: errorResponse,
      401: errorResponse,
      413: errorResponse,
      503: errorResponse,
    },
  });
  registry.registerPath({
    method: "get",
    path: "/health",
    summary: "Health check",
    description: "`ok` is false when D1 does not answer.",
    security: [],
    responses: { 200: jsonContent(health, "Status") },
  });
}
