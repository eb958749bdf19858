import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../../lib/validation";
import type { AppEnv } from "../app-env";
import { auditRoutes } from "./audit";
import { auditWrites } from "./audit-middleware";
import { requireAdmin } from "./auth";
import { callRoutes } from "./calls";
import { explainRoutes } from "./calls-explain";
import { deliveryRoutes } from "./deliveries";
import { destinationRoutes } from "./destinations";
import { filterRoutes } from "./filters";
import { historyRoutes } from "./history";
import { pushRoutes } from "./pushes";
import { sessionRoutes } from "./sessions";
import { setupRoutes } from "./setup";
import { sourceRoutes } from "./sources";
import { statsRoutes } from "./stats";
import { statsTaskRoutes } from "./stats-tasks";

/** `/api/v1`: the admin API, every route behind the admin token. */
export const adminApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminApp.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
  type: "http",
  scheme: "bearer",
  description:
    "ADMIN_TOKEN. 30 wrong tokens from an address in 15 minutes lock it out: every request then gets a 429 " +
    "`too_many_requests` with `Retry-After`, until the oldest failure is 15 minutes old.",
});
adminApp.use("*", requireAdmin, auditWrites);
adminApp.route("/destinations", destinationRoutes);
adminApp.route("/deliveries", deliveryRoutes);
adminApp.route("/sources", sourceRoutes);
adminApp.route("/calls", callRoutes);
adminApp.route("/calls", explainRoutes);
adminApp.route("/pushes", pushRoutes);
adminApp.route("/stats/tasks", statsTaskRoutes);
adminApp.route("/stats", statsRoutes);
adminApp.route("/filters", filterRoutes);
adminApp.route("/audit", auditRoutes);
adminApp.route("/sessions", sessionRoutes);
adminApp.route("/history", historyRoutes);
adminApp.route("/setup", setupRoutes);
