import { describeError } from "../../lib/log-error";

/**
 * A queue message: the delivery to attempt (everything else is read from D1 when it is consumed), `swept` when the
 * sweeper or a batch took it from D1 rather than its creation or its retry (each such message consumed takes the next
 * due delivery from D1, so a backlog drains at the consumer's pace); or `probe`: a destination whose cool-down ends,
 * to send one of its due deliveries as the breaker's probe.
 */
export type DeliveryMessage = { deliveryId: string; swept?: boolean } | { probe: string };

/**
 * How long a queue message is trusted to carry a due delivery (its lease): past it, the delivery's message counts as
 * lost and the sweeper, or a consumer whose queue is empty, sends it again. A duplicate message is harmless (the claim
 * sends once); a short grace is what lets a backlog whose messages were lost drain soon after a crash.
 */
export const QUEUE_GRACE_MS = 20_000;

/** The queue of retries and of destinations that answer slowly, so first attempts never wait behind them. */
export const SLOW_LANE_QUEUE = "callrelay-deliveries-slow";

/** Queues accept at most this many messages per `sendBatch`. */
const SEND_BATCH_MAX = 100;

/** A delivery to enqueue, visible after `delaySeconds` (0: at once). */
export interface Enqueued {
  deliveryId: string;
  delaySeconds?: number;
  swept?: boolean;
}

/** Enqueues deliveries in batches of {@link SEND_BATCH_MAX}. The sweeper re-enqueues any that never arrive. */
export async function enqueueDeliveries(
  queue: Queue<DeliveryMessage>,
  deliveries: readonly (string | Enqueued)[],
): Promise<void> {
  const messages = deliveries.map((d) => {
    const { deliveryId, delaySeconds = 0, swept } = typeof d === "string" ? { deliveryId: d } : d;
    const body: DeliveryMessage = swept ? { deliveryId, swept } : { deliveryId };
    return delaySeconds > 0 ? { body, delaySeconds } : { body };
  });
  for (let i = 0; i < messages.length; i += SEND_BATCH_MAX) {
    await queue.sendBatch(messages.slice(i, i + SEND_BATCH_MAX));
  }
}

/** Enqueues first attempts (no attempt yet) on the fast lane and the others on the slow lane, marked `swept` or not. */
export async function enqueueByLane(
  queues: { DELIVERY_QUEUE: Queue<DeliveryMessage>; SLOW_LANE_QUEUE: Queue<DeliveryMessage> },
  deliveries: readonly { id: string; attempts: number }[],
  swept = false,
): Promise<void> {
  const of = (first: boolean) =>
    deliveries.filter((d) => (d.attempts === 0) === first).map((d) => ({ deliveryId: d.id, swept }));
  await enqueueDeliveries(queues.DELIVERY_QUEUE, of(true));
  await enqueueDeliveries(queues.SLOW_LANE_QUEUE, of(false));
}

/**
 * Enqueues deliveries once the response is sent (`waitUntil`). A failure is only logged: the sweeper
 * re-enqueues whatever stays due. `context` names what created them in that log line.
 */
export function enqueueLater(
  ctx: { waitUntil(promise: Promise<unknown>): void },
  queue: Queue<DeliveryMessage>,
  deliveryIds: readonly string[],
  context: Record<string, string>,
): void {
  if (deliveryIds.length === 0) return;
  ctx.waitUntil(
    enqueueDeliveries(queue, deliveryIds).catch((err) =>
      console.error(
        JSON.stringify({ msg: "enqueue failed; the sweeper will retry", ...context, error: describeError(err) }),
      ),
    ),
  );
}
