import { storageUnavailable } from "../../lib/errors";
import { type ArchivedPush, putMarker, queuedMarker } from "../../storage/archive";

/** A push archived while D1 was unavailable: its id and where its body is. */
export interface QueuedPush {
  pushId: string;
  key: string;
}

/**
 * Records that an archived push still has to reach D1: a marker object in the archive (what the cron sweep
 * finds), holding a copy of the body that outlives the `raw/` lifecycle rule, and a queue message (the fast path).
 * Either is enough; when neither is kept the push is a 503.
 */
export async function queueIngest(
  env: { ARCHIVE: R2Bucket; INGEST_QUEUE: Queue<QueuedPush> },
  push: QueuedPush,
  body: string,
  archived: ArchivedPush,
): Promise<void> {
  const [marker, message] = await Promise.allSettled([
    putMarker(env.ARCHIVE, queuedMarker(push.pushId), push.key, body, archived),
    env.INGEST_QUEUE.send(push),
  ]);
  if (marker.status === "rejected" && message.status === "rejected") throw storageUnavailable(marker.reason);
}
