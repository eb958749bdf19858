import { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import pkg from "../package.json";
import { adminApp } from "./admin/app";
import type { AppEnv } from "./app-env";
import { consoleApp } from "./console/app";
import { getDb } from "./db/client";
import { pushRoute } from "./ingest/push-route";
import { handleError } from "./lib/error-handler";
import { errorBody } from "./lib/errors";
import { openApiRoutes } from "./openapi/routes";

/** The HTTP app: push endpoint, health check, admin API, its OpenAPI document and docs page, and the console. */
export const app = new OpenAPIHono<AppEnv>();

app.route("/push", pushRoute);
app.get("/health", async (c) => {
  const d1 = await getDb(c.env.DB)
    .run(sql`SELECT 1`)
    .then(() => true)
    .catch(() => false);
  return c.json({ ok: d1, version: pkg.version, d1 });
});
app.route("/api/v1", adminApp);
app.route("/", openApiRoutes(app));
app.route("/", consoleApp);
app.onError(handleError);
app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
