import { storageUnavailable } from "../../lib/errors";

/** A push archived while D1 was unavailable: its id and where its body is. */
export interface QueuedPush {
  pushId: string;
  key: string;
}

/** Prefix of the markers of pushes waiting for ingest; the cron sweep lists it as the queue's backstop. */
export const QUEUED_PREFIX = "queued/";

/**
 * Records that an archived push still has to reach D1: a marker object in the archive (what the cron sweep
 * finds) and a queue message (the fast path). Either is enough; when neither is kept the push is a 503.
 */
export async function queueIngest(
  env: { ARCHIVE: R2Bucket; INGEST_QUEUE: Queue<QueuedPush> },
  push: QueuedPush,
): Promise<void> {
  const [marker, message] = await Promise.allSettled([
    env.ARCHIVE.put(`${QUEUED_PREFIX}${push.pushId}`, "", { customMetadata: { key: push.key } }),
    env.INGEST_QUEUE.send(push),
  ]);
  if (marker.status === "rejected" && message.status === "rejected") throw storageUnavailable(marker.reason);
}
