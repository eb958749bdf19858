import { createMiddleware } from "hono/factory";
import { ADMIN_TOKEN_ACTOR, actionOf, recordAudit } from "../../storage/audit-record";
import type { AppEnv } from "../app-env";

/** POSTs that only read. */
const readOnly = new Set(["filters.preview"]);

/**
 * Records every successful state-changing request of the admin API in the audit log: the one place writes are
 * audited, so route handlers stay unaware of it. Creations are logged with the id they answered with.
 */
export const auditWrites = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.res.status >= 400) return;
  const segments = new URL(c.req.url).pathname
    .replace(/^\/api\/v1\/?/, "")
    .split("/")
    .filter(Boolean)
    .map(decodeURIComponent);
  const { action, target } = actionOf(c.req.method, segments);
  if (readOnly.has(action)) return;
  const created = target === null && c.res.status === 201 ? await createdId(c.res) : null;
  await recordAudit(c.env.DB, {
    actor: c.get("actor") ?? ADMIN_TOKEN_ACTOR,
    action,
    target: target ?? created,
    ip: c.req.header("cf-connecting-ip") ?? null,
  });
});

async function createdId(res: Response): Promise<string | null> {
  const body = await res
    .clone()
    .json<{ id?: unknown }>()
    .catch(() => null);
  return typeof body?.id === "string" ? body.id : null;
}
