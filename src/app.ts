import { OpenAPIHono } from "@hono/zod-openapi";
import pkg from "../package.json";
import { consoleApp } from "./console/app";
import { adminApp } from "./http/admin/app";
import type { AppEnv } from "./http/app-env";
import { openApiRoutes } from "./http/openapi/routes";
import { pushRoute } from "./http/push-route";
import { recordingRoute } from "./http/recording-route";
import { allowedMethods } from "./lib/allowed-methods";
import { getConfig } from "./lib/config";
import { handleError } from "./lib/error-handler";
import { errorBody } from "./lib/errors";
import { tokenWarnings } from "./lib/secret-token.js";
import { cronHealth } from "./storage/cron-run";
import { getDb } from "./storage/db/client";
import { historyHealth } from "./storage/history-state";
import { jobCounts } from "./storage/jobs";
import { migrationsHealth } from "./storage/migrations";
import { storageRow, storageView } from "./storage/usage";

/** The HTTP app: push endpoint, health check, admin API, its OpenAPI document and docs page, and the console. */
export const app = new OpenAPIHono<AppEnv>();

app.route("/push", pushRoute);
app.route("/recordings", recordingRoute);
app.get("/health", async (c) => {
  const stored = await storageRow(getDb(c.env.DB))
    .then((rows) => ({ d1: true, row: rows[0] }))
    .catch(() => ({ d1: false, row: undefined }));
  const storage = storageView(stored.row, getConfig(c.env).d1LimitBytes);
  const cron = await cronHealth(c.env.DB);
  const migrations = await migrationsHealth(c.env.DB);
  const warnings = tokenWarnings(c.env);
  const jobs = await jobCounts(c.env.DB).catch(() => null);
  const history = await historyHealth(c.env).catch(() => null);
  return c.json({
    ok: stored.d1,
    version: pkg.version,
    d1: stored.d1,
    storage,
    cron,
    migrations,
    warnings,
    jobs,
    history,
  });
});
app.route("/api/v1", adminApp);
app.route("/", openApiRoutes(app));
app.route("/", consoleApp);
app.onError(handleError);
app.notFound((c) => {
  const { pathname } = new URL(c.req.url);
  const allow = allowedMethods(app.routes, pathname);
  if (allow.length > 0) {
    const message = `${c.req.method} is not allowed on ${pathname}; use ${allow.join(", ")}`;
    return c.json(errorBody("method_not_allowed", message), 405, { Allow: allow.join(", ") });
  }
  return c.json(errorBody("not_found", `No route for ${c.req.method} ${pathname}`), 404);
});
