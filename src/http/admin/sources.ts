import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { getConfig } from "../../lib/config";
import { newId, randomToken, sha256Hex } from "../../lib/crypto";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { limitParam } from "../../lib/query-params";
import { validationHook } from "../../lib/validation";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { pushes, pushRollups, sources } from "../../storage/db/schema";
import { DEFAULT_SOURCE, forgetSource } from "../../storage/sources";
import type { AppEnv } from "../app-env";

/** Random bytes in a push token. */
const TOKEN_BYTES = 32;

const sourceInput = z.object({ name: z.string().trim().min(1).max(100) });
const idParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "src_..." }) });
/** Where the page after one holding only the built-in source starts: before every stored source. */
const beforeStored = { createdAt: 0, id: "" };

const sourceOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    builtIn: z.boolean().openapi({ description: "The `default` source, whose token is the PUSH_TOKEN secret" }),
    createdAt: z.string().nullable().openapi({ description: "Null for the built-in source until its first push" }),
    lastPushAt: z.string().nullable(),
    pushes: z.number().int().openapi({ description: "Pushes received, within `STATS_RETENTION_DAYS`" }),
    calls: z.number().int().openapi({
      description:
        "Records accepted, within `STATS_RETENTION_DAYS` (from the hourly counts: a call pushed again counts again, a call removed by retention still counts)",
    }),
  })
  .openapi("Source");

const tokenOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    token: z.string().openapi({ description: "Shown only in this response" }),
    pushUrl: z.string().openapi({ description: "The URL to configure on the voice platform; shown only here" }),
    createdAt: z.string(),
  })
  .openapi("SourceToken");

async function newToken(requestUrl: string) {
  const token = randomToken(TOKEN_BYTES);
  return { token, tokenHash: await sha256Hex(token), pushUrl: `${new URL(requestUrl).origin}/push/${token}` };
}

async function findSource(env: Env, id: string, action: string) {
  if (id === DEFAULT_SOURCE.id) {
    throw new AppError(
      "bad_request",
      `The built-in default source cannot be ${action} through the API: its token is the PUSH_TOKEN secret (change it with \`wrangler secret put PUSH_TOKEN\`, remove it with \`wrangler secret delete PUSH_TOKEN\`)`,
    );
  }
  const row = await getDb(env.DB).select().from(sources).where(eq(sources.id, id)).get();
  if (!row) throw new AppError("not_found", `No source ${id}`);
  return row;
}

/**
 * Push and call counts of the sources from their hourly push rollups (a few rows per source and hour, never the
 * calls), and each one's last push from the index on `pushes(source_id, received_at)`.
 */
async function activity(env: Env, ids: string[]) {
  const db = getDb(env.DB);
  const [totals, lastPushes] = await db.batch([
    db
      .select({
        sourceId: pushRollups.sourceId,
        pushes: sql<number>`sum(${pushRollups.pushes})`,
        calls: sql<number>`sum(${pushRollups.records} - ${pushRollups.rejected})`,
      })
      .from(pushRollups)
      .where(inJsonArray(pushRollups.sourceId, ids))
      .groupBy(pushRollups.sourceId),
    db
      .select({
        sourceId: sql<string>`value`,
        last: sql<number | null>`(SELECT max(${pushes.receivedAt}) FROM ${pushes} WHERE ${pushes.sourceId} = value)`,
      })
      .from(sql`json_each(${JSON.stringify(ids)})`),
  ]);
  const totalsOf = new Map(totals.map((t) => [t.sourceId, t]));
  const lastOf = new Map(lastPushes.map((p) => [p.sourceId, p.last]));
  return (id: string) => {
    const last = lastOf.get(id);
    return {
      lastPushAt: last == null ? null : new Date(last).toISOString(),
      pushes: totalsOf.get(id)?.pushes ?? 0,
      calls: totalsOf.get(id)?.calls ?? 0,
    };
  };
}

/** A page of sources with their activity: `GET /sources` and the console's sources page. */
export async function listSources(
  env: Env,
  { limit, cursor }: { limit: number; cursor?: { createdAt: number; id: string } },
) {
  const db = getDb(env.DB);
  // The built-in source and the others in one round trip: one row more than a page either way.
  const [builtInRows, rows] = await db.batch([
    db
      .select()
      .from(sources)
      .where(eq(sources.id, DEFAULT_SOURCE.id))
      .limit(cursor === undefined ? 1 : 0),
    db
      .select()
      .from(sources)
      .where(
        and(
          ne(sources.id, DEFAULT_SOURCE.id),
          cursor && sql`(${sources.createdAt}, ${sources.id}) > (${cursor.createdAt}, ${cursor.id})`,
        ),
      )
      .orderBy(asc(sources.createdAt), asc(sources.id))
      .limit(limit + 1),
  ]);
  const builtIn = builtInRows[0];
  const showBuiltIn = cursor === undefined && (builtIn !== undefined || getConfig(env).pushToken !== undefined);
  const take = showBuiltIn ? limit - 1 : limit;
  const shown = [
    ...(showBuiltIn ? [{ ...DEFAULT_SOURCE, createdAt: builtIn?.createdAt ?? null }] : []),
    ...rows.slice(0, take),
  ];
  const activityOf = await activity(
    env,
    shown.map((s) => s.id),
  );
  const last = rows[take - 1];
  return {
    data: shown.map((s) => ({
      id: s.id,
      name: s.name,
      builtIn: s.id === DEFAULT_SOURCE.id,
      createdAt: s.createdAt === null ? null : new Date(s.createdAt).toISOString(),
      ...activityOf(s.id),
    })),
    nextCursor:
      rows.length > take ? encodeCursor(last ? { createdAt: last.createdAt, id: last.id } : beforeStored) : null,
  };
}

/** Creates a source; its token and push URL (on the origin of `requestUrl`) are answered only here. */
export async function createSource(env: Env, name: string, requestUrl: string, now: number) {
  const conflict = new AppError("conflict", `A source named "${name}" exists`);
  if (name === DEFAULT_SOURCE.name) throw conflict;
  const { token, tokenHash, pushUrl } = await newToken(requestUrl);
  const row = await getDb(env.DB)
    .insert(sources)
    .values({ id: newId("src"), name, tokenHash, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!row) throw conflict;
  return { id: row.id, name, token, pushUrl, createdAt: new Date(now).toISOString() };
}

/** Replaces a source's token; the old one stops working at once. */
export async function rotateSourceToken(env: Env, id: string, requestUrl: string) {
  const source = await findSource(env, id, "rotated");
  const { token, tokenHash, pushUrl } = await newToken(requestUrl);
  await getDb(env.DB).update(sources).set({ tokenHash, updatedAt: Date.now() }).where(eq(sources.id, source.id));
  forgetSource(source.id);
  return { id: source.id, name: source.name, token, pushUrl, createdAt: new Date(source.createdAt).toISOString() };
}

/** Deletes a source; its pushes and calls stay on record. */
export async function deleteSource(env: Env, id: string) {
  const source = await findSource(env, id, "deleted");
  await getDb(env.DB).delete(sources).where(eq(sources.id, source.id));
  forgetSource(source.id);
}

/** `/api/v1/sources`: who may push, each with its own push URL. */
export const sourceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Create a source",
      description:
        "Answers the source's push token and push URL, shown only in this response (only a hash is stored). Names are unique.",
      request: { body: { content: { "application/json": { schema: sourceInput } }, required: true } },
      responses: { 201: jsonContent(tokenOutput, "Created"), 400: errorResponse, 409: errorResponse },
    }),
    async (c) => {
      return c.json(await createSource(c.env, c.req.valid("json").name, c.req.url, Date.now()), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "List sources",
      description:
        "The built-in `default` source first (when PUSH_TOKEN is set or it has pushed), then the others oldest first, each with its push and call counts.",
      request: {
        query: z.object({
          limit: limitParam,
          cursor: cursorParam(z.object({ createdAt: z.number().int(), id: z.string() })),
        }),
      },
      responses: {
        200: jsonContent(
          z.object({ data: z.array(sourceOutput), nextCursor: z.string().nullable() }),
          "A page of sources; `nextCursor` is null on the last",
        ),
        400: errorResponse,
      },
    }),
    async (c) => {
      return c.json(await listSources(c.env, c.req.valid("query")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/rotate-token",
      summary: "Replace a source's push token",
      description:
        "The old token stops working within 5 seconds (Workers cache a token that long). Answers the new token and push URL, shown only here. The built-in `default` source's token is the PUSH_TOKEN secret: change it with wrangler.",
      request: { params: idParam },
      responses: { 200: jsonContent(tokenOutput, "The new token"), 400: errorResponse, 404: errorResponse },
    }),
    async (c) => {
      return c.json(await rotateSourceToken(c.env, c.req.valid("param").id, c.req.url), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      summary: "Delete a source",
      description: "Its token stops working within 5 seconds; its pushes and calls stay on record.",
      request: { params: idParam },
      responses: { 204: { description: "Deleted" }, 400: errorResponse, 404: errorResponse },
    }),
    async (c) => {
      await deleteSource(c.env, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
