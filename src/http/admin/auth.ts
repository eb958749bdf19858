import { createMiddleware } from "hono/factory";
import { getConfig } from "../../lib/config";
import { secretsEqual } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../app-env";

/** Requires `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const { adminToken, placeholderTokens } = getConfig(c.env);
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!adminToken && placeholderTokens.includes("ADMIN_TOKEN")) {
    throw new AppError(
      "unauthorized",
      "The admin API is disabled: ADMIN_TOKEN is still the placeholder from .dev.vars.example; set a random one (npx wrangler secret put ADMIN_TOKEN)",
    );
  }
  if (!adminToken) throw new AppError("unauthorized", "The admin API is disabled: set the ADMIN_TOKEN secret");
  if (!match?.[1] || !(await secretsEqual(match[1], adminToken))) {
    throw new AppError("unauthorized", "Missing or wrong admin token (Authorization: Bearer <ADMIN_TOKEN>)");
  }
  await next();
});
