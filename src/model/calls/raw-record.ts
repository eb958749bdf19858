import { eq } from "drizzle-orm";
import { getDb } from "../../storage/db/client";
import { pushes } from "../../storage/db/schema";
import { readPushBody } from "../../storage/push-body";
import { readVoiceId } from "./values";

/**
 * A call's record as received: found in the archived body of the push that last stored it (the last record of
 * that body with the call's voiceId, as ingest kept the last). Null once the body is no longer kept.
 */
export async function rawRecord(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  call: { pushId: string; voiceId: string },
): Promise<unknown> {
  const push = await getDb(env.DB)
    .select({ archiveKey: pushes.archiveKey })
    .from(pushes)
    .where(eq(pushes.id, call.pushId))
    .get();
  if (!push) return null;
  const body = await readPushBody(env, { id: call.pushId, archiveKey: push.archiveKey });
  if (body === null) return null;
  const records = (JSON.parse(body) as { array: unknown[] }).array;
  const isCall = (r: unknown) => {
    const id = readVoiceId(typeof r === "object" && r !== null ? (r as { voiceId?: unknown }).voiceId : undefined);
    return id.ok && id.value === call.voiceId;
  };
  return records.findLast(isCall) ?? null;
}
