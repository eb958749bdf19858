import { createMiddleware } from "hono/factory";
import { getConfig } from "../../lib/config";
import { AppError } from "../../lib/errors";
import { BEARER_RULE } from "../../lib/failure-throttle";
import { throttledCompare } from "../../storage/auth-throttle";
import type { AppEnv } from "../app-env";

/**
 * Requires `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. Wrong tokens are counted per address
 * (30 in 15 minutes); past that, every request from the address gets a 429 until the window moves.
 */
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
  const refused = () =>
    new AppError("unauthorized", "Missing or wrong admin token (Authorization: Bearer <ADMIN_TOKEN>)");
  if (!match?.[1]) throw refused();
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  const { outcome, retryAfterMs } = await throttledCompare(
    c.env.AUTH_THROTTLE,
    "bearer",
    ip,
    match[1],
    adminToken,
    BEARER_RULE,
  );
  if (outcome === "locked") {
    const seconds = Math.ceil(retryAfterMs / 1000);
    c.header("retry-after", String(seconds));
    throw new AppError("too_many_requests", `Too many wrong admin tokens from this address: try again in ${seconds} s`);
  }
  if (outcome === "wrong") throw refused();
  await next();
});
