import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { auditWrites } from "../audit/middleware";
import { auditRoutes } from "../audit/routes";
import { explainRoutes } from "../calls/explain-route";
import { callRoutes } from "../calls/routes";
import { deliveryRoutes } from "../delivery/routes";
import { destinationRoutes } from "../destinations/routes";
import { filterRoutes } from "../filters/routes";
import { validationHook } from "../lib/validation";
import { pushRoutes } from "../pushes/routes";
import { sourceRoutes } from "../sources/routes";
import { statsRoutes } from "../stats/routes";
import { requireAdmin } from "./auth";
import { sessionRoutes } from "./sessions";

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
adminApp.route("/stats", statsRoutes);
adminApp.route("/filters", filterRoutes);
adminApp.route("/audit", auditRoutes);
adminApp.route("/sessions", sessionRoutes);
