import { describeError } from "../../lib/log-error";
import { QUEUED_PREFIX, queuedMarker, readKept } from "../../storage/archive";
import { recordStorageSize } from "../../storage/usage";
import { type DeliveryMessage, enqueueDeliveries } from "../dispatch/enqueue";
import { eventsAfterPush } from "../events/producers";
import { archivedInput, ingestPush, type PushInput, planStoredPush, type StorageEnv } from "./ingest";
import type { QueuedPush } from "./queue-ingest";

type QueuedEnv = StorageEnv & { DELIVERY_QUEUE: Queue<DeliveryMessage> };

/** Delay before the queue offers a push again whose ingest failed (D1 still unavailable). */
const RETRY_SECONDS = 30;
/** Most queued pushes one cron sweep ingests; the next sweep takes the rest. */
export const QUEUED_SWEEP_LIMIT = 50;
/** A marker younger than this is left to its queue message. */
const QUEUE_GRACE_MS = 60_000;

const isDuplicatePush = (err: unknown): boolean => {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message.includes("UNIQUE constraint failed: pushes.id")) return true;
  }
  return false;
};

/** Whether D1 answers at all: a push that fails while it does has a problem of its own, not an outage. */
const d1Answers = (d1: D1Database) =>
  d1
    .prepare("SELECT 1")
    .first()
    .then(
      () => true,
      () => false,
    );

/**
 * Ingests a push once: a push whose log row exists (stored by a concurrent run) gets only its missing deliveries;
 * one D1 refuses for good is set aside, and told about.
 */
async function ingestOnce(env: QueuedEnv, input: PushInput): Promise<string[]> {
  try {
    const result = await ingestPush(env, input, true);
    await recordStorageSize(env.DB, result.d1Results);
    if (result.setAside !== null) await eventsAfterPush(env, { ...result, sourceId: input.sourceId }, Date.now());
    return result.deliveryIds;
  } catch (err) {
    if (!isDuplicatePush(err)) throw err;
    return planStoredPush(env.DB, input);
  }
}

/**
 * Ingests a push archived while D1 was unavailable, exactly once: the push log row, the calls and their
 * deliveries go in one atomic batch. A push whose log row exists already (its batch committed, then D1 failed
 * while its deliveries were planned again) is not stored again, but gets the deliveries it lacks. Then enqueues
 * the deliveries created and removes its marker (and the body copy it holds). Throws while D1 still fails.
 */
export async function ingestQueued(env: QueuedEnv, push: QueuedPush): Promise<void> {
  const seen = await env.DB.prepare("SELECT 1 FROM pushes WHERE id = ?").bind(push.pushId).first();
  const archived = await readKept(env.ARCHIVE, push.key, queuedMarker(push.pushId));
  if (archived === null) {
    console.error(JSON.stringify({ msg: "queued push has no archived body", ...push }));
  } else {
    const input = archivedInput(archived.push, archived.body);
    const deliveryIds = seen === null ? await ingestOnce(env, input) : await planStoredPush(env.DB, input);
    await enqueueDeliveries(env.DELIVERY_QUEUE, deliveryIds).catch((err) =>
      console.error(
        JSON.stringify({ msg: "enqueue failed; the sweeper will retry", ...push, error: describeError(err) }),
      ),
    );
  }
  await env.ARCHIVE.delete(queuedMarker(push.pushId));
}

/** The `callrelay-ingest` queue handler: one queued push per message, retried later while D1 fails. */
export async function consumeQueuedPushes(batch: MessageBatch<QueuedPush>, env: QueuedEnv): Promise<void> {
  for (const message of batch.messages) {
    try {
      await ingestQueued(env, message.body);
      message.ack();
    } catch (err) {
      console.error(
        JSON.stringify({ msg: "queued push not ingested yet", ...message.body, error: describeError(err) }),
      );
      message.retry({ delaySeconds: RETRY_SECONDS });
    }
  }
}

/**
 * The queue's backstop, run by the cron: ingests queued pushes whose marker is older than a minute (their
 * message was lost, or ran out of retries and went to the dead-letter queue). A push that fails while D1 answers
 * does not hold up the others (a push D1 refuses for good is set aside by the ingest); the sweep stops only when D1
 * itself does not answer. Returns how many it ingested.
 */
export async function sweepQueuedPushes(env: QueuedEnv, now = Date.now()): Promise<number> {
  const listed = await env.ARCHIVE.list({
    prefix: QUEUED_PREFIX,
    limit: QUEUED_SWEEP_LIMIT,
    include: ["customMetadata"],
  });
  let done = 0;
  for (const marker of listed.objects) {
    if (marker.uploaded.getTime() > now - QUEUE_GRACE_MS) continue;
    const key = marker.customMetadata?.key;
    const pushId = marker.key.slice(QUEUED_PREFIX.length);
    if (key === undefined) {
      await env.ARCHIVE.delete(marker.key);
      continue;
    }
    try {
      await ingestQueued(env, { pushId, key });
    } catch (err) {
      console.error(JSON.stringify({ msg: "queued push not ingested yet", pushId, key, error: describeError(err) }));
      if (await d1Answers(env.DB)) continue;
      break;
    }
    done += 1;
  }
  return done;
}
