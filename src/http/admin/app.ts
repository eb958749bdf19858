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
import { setupRoutes } from "./setup";
import { sourceRoutes } from "./sources";
import { statsRoutes } from "./stats";
import { statsTaskRoutes } from "./stats-tasks";

/** `/api/v1`: the admin API, every route behind the admin token. */
export const adminApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminApp.openAPIRegistry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer" });
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
adminApp.route("/history", historyRoutes);
adminApp.route("/setup", setupRoutes);
