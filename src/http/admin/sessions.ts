import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { jsonContent } from "../../lib/openapi";
import { validationHook } from "../../lib/validation";
import { deleteAllSessions } from "../../storage/db/console-sessions";
import type { AppEnv } from "../app-env";

/** `/api/v1/sessions`: the console's sessions of the admin token. */
export const sessionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "delete",
    path: "/",
    summary: "Sign out everywhere",
    description:
      "Ends every console session of the admin token, in every browser (copies of a session cookie included). " +
      "People signed in through Cloudflare Access are signed out by Access.",
    responses: {
      200: jsonContent(
        z
          .object({ ended: z.number().int().openapi({ description: "Sessions that were live" }) })
          .openapi("SessionsEnded"),
        "Every session ended",
      ),
    },
  }),
  async (c) => c.json({ ended: await deleteAllSessions(c.env.DB, Date.now()) }, 200),
);
