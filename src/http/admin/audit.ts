import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { limitParam } from "../../lib/query-params";
import { validationHook } from "../../lib/validation";
import { listAudit } from "../../storage/audit-list";
import { getDb } from "../../storage/db/client";
import type { AppEnv } from "../app-env";

const auditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string().openapi({ description: 'An email (Cloudflare Access), or "admin token"' }),
    action: z.string().openapi({ example: "destinations.update" }),
    target: z.string().nullable().openapi({ description: "The id acted on" }),
    outcome: z.enum(["ok", "failed"]),
  })
  .openapi("AuditEntry");

/** `/api/v1/audit`: who changed what, when. */
export const auditRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "The audit log",
    description:
      "Newest first: every successful change through the admin API or the console, and every console sign-in (failed ones too). Pass `nextCursor` back as `cursor` for the next page.",
    request: { query: z.object({ limit: limitParam, cursor: cursorParam(z.object({ id: z.number().int() })) }) },
    responses: {
      200: jsonContent(z.object({ data: z.array(auditEntry), nextCursor: z.string().nullable() }), "A page"),
      400: errorResponse,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { entries, next } = await listAudit(getDb(c.env.DB), { limit: q.limit, before: q.cursor?.id });
    return c.json(
      {
        data: entries.map(({ ip: _ip, ...e }) => ({ ...e, at: new Date(e.at).toISOString() })),
        nextCursor: next === null ? null : encodeCursor({ id: next }),
      },
      200,
    );
  },
);
