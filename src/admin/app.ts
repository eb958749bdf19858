import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { destinationRoutes } from "../destinations/routes";
import { validationHook } from "../lib/validation";
import { requireAdmin } from "./auth";

/** `/api/v1`: the admin API, every route behind the admin token. */
export const adminApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminApp.openAPIRegistry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer" });
adminApp.use("*", requireAdmin);
adminApp.route("/destinations", destinationRoutes);
