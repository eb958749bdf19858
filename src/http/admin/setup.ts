import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getConfig } from "../../lib/config";
import { jsonContent } from "../../lib/openapi";
import { validationHook } from "../../lib/validation";
import { oldestDueAt } from "../../storage/delivery-backlog";
import type { AppEnv } from "../app-env";

const setup = z
  .object({
    publicUrl: z.string().nullable().openapi({ description: "`PUBLIC_URL`; null when unset" }),
    recordingLinks: z
      .boolean()
      .openapi({ description: "Whether chat messages link recordings (the platform API credentials are set)" }),
    access: z.boolean().openapi({ description: "Whether Cloudflare Access signs people into the console" }),
    deliveries: z.object({
      oldestDueAt: z.string().nullable().openapi({
        description: "When the longest-waiting delivery still to be sent became due; null when none waits",
      }),
    }),
  })
  .openapi("Setup");

/** `/api/v1/setup`: what `callrelay doctor` checks beyond `/health`. */
export const setupRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "The deployment's setup",
    description:
      "What an operator checks after a deploy (`npx callrelay doctor` reads it): `PUBLIC_URL`, recording links, Cloudflare Access, and the oldest delivery waiting to be sent.",
    responses: { 200: jsonContent(setup, "The setup") },
  }),
  async (c) => {
    const config = getConfig(c.env);
    const due = await oldestDueAt(c.env.DB);
    return c.json(
      {
        publicUrl: config.publicUrl ?? null,
        recordingLinks: config.platformApi !== undefined,
        access: config.access !== undefined,
        deliveries: { oldestDueAt: due === null ? null : new Date(due).toISOString() },
      },
      200,
    );
  },
);
