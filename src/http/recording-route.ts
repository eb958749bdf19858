import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { getConfig } from "../lib/config";
import { AppError, unlessStorageFails } from "../lib/errors";
import { fetchRecordingUrl } from "../messages/recording-platform";
import { readRecordingToken } from "../messages/recording-token";
import { getDb } from "../storage/db/client";
import { calls } from "../storage/db/schema";
import type { AppEnv } from "./app-env";

/** `GET /recordings/:token`: redirects to a fresh URL of the named call's recording (the platform's expire). */
export const recordingRoute = new Hono<AppEnv>().get("/:token", async (c) => {
  const { platformApi } = getConfig(c.env);
  if (!platformApi)
    throw new AppError("not_found", "Recording links are off: the platform API credentials are not set");
  const check = await readRecordingToken(c.req.param("token"), platformApi.secret, Date.now());
  if (!check.ok) {
    throw check.problem === "expired"
      ? new AppError("gone", "This recording link has expired; open the call's message again for a new one")
      : new AppError("forbidden", "This recording link is not valid");
  }
  const { sourceId, voiceId } = check.claim;
  const call = await unlessStorageFails(() =>
    getDb(c.env.DB)
      .select({ recordingFileId: calls.recordingFileId })
      .from(calls)
      .where(and(eq(calls.sourceId, sourceId), eq(calls.voiceId, voiceId)))
      .get(),
  );
  if (!call?.recordingFileId) throw new AppError("not_found", "The call or its recording is no longer stored");
  const fresh = await fetchRecordingUrl(platformApi, call.recordingFileId);
  if (!fresh.ok) {
    console.error(JSON.stringify({ msg: "recording URL failed", sourceId, voiceId, problem: fresh.problem }));
    throw new AppError("bad_gateway", `Could not get the recording from the platform: ${fresh.problem}`);
  }
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
  return c.redirect(fresh.url, 302);
});
