import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, desc, eq, getTableColumns, gte, lt, sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import { cursorParam, encodeCursor } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { errorResponse, jsonContent } from "../../lib/openapi";
import { instantParam, limitParam } from "../../lib/query-params";
import { untilAfterSince } from "../../lib/time-window";
import { validationHook } from "../../lib/validation";
import { enqueueLater } from "../../pipeline/dispatch/enqueue";
import { ingestPush, keptRejections, parsePushBody } from "../../pipeline/ingest/ingest";
import { queuedMarker, readKept, setAsideMarker } from "../../storage/archive";
import { type Db, getDb } from "../../storage/db/client";
import { pushes } from "../../storage/db/schema";
import { readPushBody } from "../../storage/push-body";
import { DEFAULT_SOURCE } from "../../storage/sources";
import type { AppEnv } from "../app-env";

const pushStatuses = pushes.status.enumValues;
const {
  rejected: _rejected,
  archiveKey: _archiveKey,
  streamState: _streamState,
  ...logColumns
} = getTableColumns(pushes);

const listQuery = z
  .object({
    sourceId: z.string().min(1).max(100).optional(),
    status: z.enum(pushStatuses).optional(),
    since: instantParam.optional().openapi({ description: "Received at or after (ISO 8601 or epoch ms)" }),
    until: instantParam.optional().openapi({ description: "Received before (ISO 8601 or epoch ms)" }),
    limit: limitParam,
    cursor: cursorParam(z.object({ receivedAt: z.number().int(), id: z.string() })),
  })
  .refine(...untilAfterSince);

const idParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "psh_..." }) });

const rejectedOutput = z.object({ index: z.number().int(), voiceId: z.string().nullable(), error: z.string() });

const pushOutput = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    receivedAt: z.string(),
    status: z.enum([...pushStatuses, "queued"]).openapi({
      description:
        "`queued` (only by id): answered while D1 was unavailable, archived, stored as soon as D1 answers; `stored`; `invalid` (not a push) or `too_large` (over MAX_PUSH_BYTES or MAX_PUSH_RECORDS), neither stored; `set_aside`: D1 refused its statements for good, so nothing of it is stored, its body is kept (retention skips it) and `error` says why: reprocess it once the cause is fixed, which makes it `resolved`",
    }),
    contentType: z.string().nullable(),
    bytes: z.number().int(),
    records: z.number().int(),
    accepted: z.number().int(),
    rejectedCount: z.number().int(),
    error: z.string().nullable().openapi({ description: "Why a push that is not `stored` was not read" }),
    reprocessedFrom: z.string().nullable().openapi({ description: "The push whose stored body this one reprocessed" }),
  })
  .openapi("Push");

const pushDetail = pushOutput
  .extend({
    rejected: z.array(rejectedOutput),
    body: z.string().nullable().openapi({
      description: "The body as received; null once RAW_RETENTION_DAYS removed it, or when it was too large to keep",
    }),
  })
  .openapi("PushDetail");

const reprocessOutput = z
  .object({
    reprocessedFrom: z.string(),
    pushId: z.string(),
    accepted: z.number().int(),
    rejected: z.array(rejectedOutput),
    status: z.enum(["stored", "queued", "set_aside"]).openapi({
      description: "`queued`: D1 was unavailable, it is stored once D1 answers; `set_aside`: D1 refused it again",
    }),
  })
  .openapi("Reprocessed");

function pushView<R extends { receivedAt: number }>(row: R): Omit<R, "receivedAt"> & { receivedAt: string } {
  return { ...row, receivedAt: new Date(row.receivedAt).toISOString() };
}

/**
 * A push answered `queued` that D1 has not taken yet: no log row, but its marker and archived body, read as the
 * ingest will read it. Undefined when there is none.
 */
async function queuedPush(env: Env, id: string) {
  const marker = await env.ARCHIVE.head(queuedMarker(id));
  const key = marker?.customMetadata?.key;
  const archived = key === undefined ? null : await readKept(env.ARCHIVE, key, queuedMarker(id));
  if (archived === null) return undefined;
  const { push: meta, body } = archived;
  let parsed: ReturnType<typeof parsePushBody> = { calls: [], rejected: [] };
  try {
    parsed = parsePushBody(body, meta.sourceId, meta.receivedAt);
  } catch {}
  const push = {
    id,
    sourceId: meta.sourceId,
    receivedAt: meta.receivedAt,
    status: "queued" as const,
    contentType: meta.contentType,
    bytes: meta.bytes,
    records: parsed.calls.length + parsed.rejected.length,
    accepted: parsed.calls.length,
    rejectedCount: parsed.rejected.length,
    rejected: keptRejections(parsed.rejected),
    error: "D1 was unavailable: stored as soon as it answers",
    reprocessedFrom: meta.reprocessedFrom ?? null,
  };
  return { push, body };
}

/**
 * A push with its body as received; `body` is null when none is stored (a body of 0 bytes is ""). A push still
 * queued for D1 is `queued`.
 */
export async function findPush(env: Env, id: string) {
  const row = await getDb(env.DB).select().from(pushes).where(eq(pushes.id, id)).get();
  if (!row) {
    const queued = await queuedPush(env, id);
    if (queued) return queued;
    throw new AppError("not_found", `No push ${id}`);
  }
  const { archiveKey, streamState: _streamState, ...push } = row;
  const body =
    push.status === "set_aside" && archiveKey !== null
      ? ((await readKept(env.ARCHIVE, archiveKey, setAsideMarker(id)))?.body ?? null)
      : await readPushBody(env, { id, archiveKey });
  return { push, body: body ?? (push.bytes === 0 ? "" : null) };
}

/** A page of the push log, newest first: `GET /pushes` and the console's pushes page. */
export async function listPushes(db: Db, q: z.output<typeof listQuery>) {
  const rows = await db
    .select(logColumns)
    .from(pushes)
    .where(
      and(
        q.sourceId === undefined ? undefined : eq(pushes.sourceId, q.sourceId),
        q.status === undefined ? undefined : eq(pushes.status, q.status),
        q.since === undefined ? undefined : gte(pushes.receivedAt, q.since),
        q.until === undefined ? undefined : lt(pushes.receivedAt, q.until),
        q.cursor && sql`(${pushes.receivedAt}, ${pushes.id}) < (${q.cursor.receivedAt}, ${q.cursor.id})`,
      ),
    )
    .orderBy(desc(pushes.receivedAt), desc(pushes.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    data: page.map(pushView),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ receivedAt: last.receivedAt, id: last.id }) : null,
  };
}

/** Runs a stored push's body through ingest again as a new push; the caller queues `result.deliveryIds`. */
export async function reprocessPush(env: Env, id: string, now: number) {
  const { push: original, body } = await findPush(env, id);
  if (original.status === "queued") {
    throw new AppError("conflict", `Push ${original.id} is still queued for D1; it is stored as soon as D1 answers`);
  }
  if (body === null) {
    throw new AppError(
      "conflict",
      original.status === "too_large"
        ? `Push ${original.id} was too large to store; nothing to reprocess`
        : `The body of push ${original.id} is no longer stored`,
    );
  }
  const result = await ingestPush(env, {
    pushId: newId("psh"),
    sourceId: original.sourceId,
    ensureSource: original.sourceId === DEFAULT_SOURCE.id ? DEFAULT_SOURCE : undefined,
    body,
    bytes: original.bytes,
    contentType: original.contentType,
    receivedAt: now,
    reprocessedFrom: original.id,
  }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "bad_request") {
      throw new AppError("conflict", `Push ${original.id} is still not readable: ${err.message}`);
    }
    throw err;
  });
  if (original.status === "set_aside" && result.setAside === null) await resolveSetAside(env, original.id);
  return { original, result };
}

/**
 * A push set aside whose body was ingested again: `resolved` (its marker and the body copy it holds go), and
 * retention may delete it in its time.
 */
async function resolveSetAside(env: Env, id: string) {
  await getDb(env.DB).update(pushes).set({ status: "resolved" }).where(eq(pushes.id, id));
  await env.ARCHIVE.delete(setAsideMarker(id));
}

/** `/api/v1/pushes`: the log of every push received, with its body while it is kept. */
export const pushRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "List pushes",
      description: "Newest first, without bodies or rejected records (see `GET /pushes/{id}`).",
      request: { query: listQuery },
      responses: {
        200: jsonContent(
          z.object({ data: z.array(pushOutput), nextCursor: z.string().nullable() }),
          "A page of pushes; `nextCursor` is null on the last",
        ),
        400: errorResponse,
      },
    }),
    async (c) => {
      return c.json(await listPushes(getDb(c.env.DB), c.req.valid("query")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      summary: "Get a push",
      description: "The push log entry, its rejected records, and its body as received (while it is kept).",
      request: { params: idParam },
      responses: { 200: jsonContent(pushDetail, "The push"), 404: errorResponse },
    }),
    async (c) => {
      const { push, body } = await findPush(c.env, c.req.valid("param").id);
      return c.json({ ...pushView(push), body }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/reprocess",
      summary: "Ingest a stored push again",
      description:
        "Runs the stored body through ingest as a new push of the same source (received now), e.g. to accept records rejected before a fix, or a push `set_aside` (which becomes `resolved` when this one is stored). Records are upserted like any push, received now, so a record also sent in a later push gets this push's values back: a reprocess overrides the newest-report rule. Deliveries already made are not made again. The new push is linked to the original only in this response and in the log. 409 when the body is no longer stored, or is still not a push (that attempt is logged as a new `invalid` push).",
      request: { params: idParam },
      responses: {
        200: jsonContent(reprocessOutput, "The new push"),
        404: errorResponse,
        409: errorResponse,
      },
    }),
    async (c) => {
      const { original, result } = await reprocessPush(c.env, c.req.valid("param").id, Date.now());
      enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, result.deliveryIds, { pushId: result.pushId });
      return c.json(
        {
          reprocessedFrom: original.id,
          pushId: result.pushId,
          accepted: result.accepted,
          rejected: result.rejected,
          status:
            result.setAside !== null
              ? ("set_aside" as const)
              : result.queued
                ? ("queued" as const)
                : ("stored" as const),
        },
        200,
      );
    },
  );
