/** A queue message: the delivery to attempt. Everything else is read from D1 when it is consumed. */
export interface DeliveryMessage {
  deliveryId: string;
}

/** Queues accept at most this many messages per `sendBatch`. */
const SEND_BATCH_MAX = 100;

/** Enqueues deliveries in batches of {@link SEND_BATCH_MAX}. The sweeper re-enqueues any that never arrive. */
export async function enqueueDeliveries(queue: Queue<DeliveryMessage>, deliveryIds: readonly string[]): Promise<void> {
  for (let i = 0; i < deliveryIds.length; i += SEND_BATCH_MAX) {
    await queue.sendBatch(deliveryIds.slice(i, i + SEND_BATCH_MAX).map((deliveryId) => ({ body: { deliveryId } })));
  }
}
