import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { DeliveryMessage } from "../../src/pipeline/dispatch/enqueue";
import { createDestination, push, record, rows } from "./worker";

/** Runs the Worker's cron handler at `scheduledTime`, with `bindings`, and waits for all its work. */
export async function runCron(scheduledTime = Date.now(), bindings: Env = env) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

/**
 * Deliveries that exist in D1 but were never enqueued, one per call pushed (`calls` of them, or those given) to a new
 * destination made from `body`: the test drives the queue handler itself. Oldest first.
 */
export async function parkedDeliveries(body: Record<string, unknown>, calls: number | Record<string, unknown>[]) {
  const dest = await createDestination({ ...body, enabled: false });
  const records = typeof calls === "number" ? Array.from({ length: calls }, () => record()) : calls;
  await push({ array: records });
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("UPDATE destinations SET enabled = 1 WHERE id = ?").bind(dest.id),
    env.DB.prepare(
      "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_until = ? WHERE destination_id = ?",
    ).bind(now, now + 3_600_000, dest.id),
  ]);
  const ids = await rows<{ id: string; voice_id: string }>(
    "SELECT id, voice_id FROM deliveries WHERE destination_id = ? ORDER BY created_at, id",
    dest.id,
  );
  return { dest, ids: ids.map((r) => r.id), voiceIds: ids.map((r) => r.voice_id) };
}

/** Hands the Worker's queue handler one batch carrying `deliveryIds`, with `bindings`, and answers what it acked or retried. */
export function consume(deliveryIds: readonly string[], queue = "callrelay-deliveries", bindings: Env = env) {
  return consumeMessages(
    deliveryIds.map((deliveryId) => ({ deliveryId })),
    queue,
    bindings,
  );
}

/** Hands the Worker's queue handler one batch of these message bodies, with `bindings`. */
export async function consumeMessages(
  bodies: readonly DeliveryMessage[],
  queue = "callrelay-deliveries",
  bindings: Env = env,
) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

/** A queue that only records what is sent to it (with any delay), so a test leaves no message for a gone receiver. */
export function recordingQueue() {
  const sent: { body: DeliveryMessage; delaySeconds?: number }[] = [];
  const queue = {
    send: async (body: DeliveryMessage, options?: { delaySeconds?: number }) =>
      void sent.push({ body, delaySeconds: options?.delaySeconds }),
    sendBatch: async (batch: Iterable<{ body: DeliveryMessage; delaySeconds?: number }>) => {
      for (const m of batch) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  } as unknown as Queue<DeliveryMessage>;
  return { queue, sent };
}

/** The bindings with both delivery lanes recording instead of queueing. */
export function withRecordingLanes(bindings: Env = env) {
  const fast = recordingQueue();
  const slow = recordingQueue();
  return {
    env: { ...bindings, DELIVERY_QUEUE: fast.queue, SLOW_LANE_QUEUE: slow.queue } as Env,
    fast: fast.sent,
    slow: slow.sent,
  };
}

/** An event delivery with its event. */
export interface EventDelivery {
  id: string;
  type: string;
  data: string;
  status: string;
  source_id: string;
}

/** The events delivered (or to be) to a destination, oldest first. */
export const eventsTo = (destinationId: string) =>
  rows<EventDelivery>(
    `SELECT d.id, e.type, e.data, d.status, d.source_id FROM deliveries d JOIN events e ON e.id = d.event_id
     WHERE d.destination_id = ? ORDER BY e.created_at, e.rowid`,
    destinationId,
  );
