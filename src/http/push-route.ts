import { Hono } from "hono";
import { getConfig } from "../lib/config";
import { newId } from "../lib/crypto";
import { AppError, unlessStorageFails } from "../lib/errors";
import { readBodyLimited } from "../lib/read-body";
import { isPlaceholderToken } from "../lib/secret-token.js";
import { enqueueLater } from "../pipeline/dispatch/enqueue";
import { eventsAfterPush } from "../pipeline/events/producers";
import { ingestPush, logInvalidPush, type PushInput } from "../pipeline/ingest/ingest";
import { streamPush } from "../pipeline/ingest/stream-push";
import { callsStream } from "../storage/calls-stream";
import { getDb } from "../storage/db/client";
import { DEFAULT_SOURCE, resolveSource } from "../storage/sources";
import { recordStorageSize } from "../storage/usage";
import type { AppEnv } from "./app-env";

/** `POST /push/:token`: the URL the voice platform pushes status reports to. */
export const pushRoute = new Hono<AppEnv>().post("/:token", async (c) => {
  const config = getConfig(c.env);
  const db = getDb(c.env.DB);
  const token = c.req.param("token");
  if (isPlaceholderToken(token)) {
    throw new AppError("unauthorized", "This push URL carries the placeholder from .dev.vars.example: it is refused");
  }
  const source = await unlessStorageFails(() => resolveSource(db, config, token));
  if (!source) throw new AppError("unauthorized", "Unknown push token");

  const receivedAt = Date.now();
  const body = await readBodyLimited(c.req.raw, config.maxPushBytes);
  const input: PushInput = {
    pushId: newId("psh"),
    sourceId: source.id,
    ensureSource: source.isDefault ? DEFAULT_SOURCE : undefined,
    body: body.ok ? body.text : "",
    bytes: body.bytes,
    contentType: c.req.header("content-type") ?? null,
    receivedAt,
  };
  if (!body.ok) {
    const message = `Body is larger than ${config.maxPushBytes} bytes`;
    await logInvalidPush(c.env, input, message, "too_large");
    throw new AppError("payload_too_large", message);
  }

  const result = await ingestPush(c.env, input);
  enqueueLater(c.executionCtx, c.env.DELIVERY_QUEUE, result.deliveryIds, { pushId: result.pushId });
  c.executionCtx.waitUntil(recordStorageSize(c.env.DB, result.d1Results));
  c.executionCtx.waitUntil(eventsAfterPush(c.env, { ...result, sourceId: source.id }, receivedAt));
  const stream = callsStream(c.env);
  if (stream && !result.queued) c.executionCtx.waitUntil(streamPush(c.env, stream, c.executionCtx, result));
  const { pushId, accepted, rejected } = result;
  return c.json(
    result.queued ? { ok: true, queued: true, pushId, accepted, rejected } : { ok: true, pushId, accepted, rejected },
  );
});
