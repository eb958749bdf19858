import { attemptDelivery } from "./deliver";
import type { DeliveryMessage } from "./enqueue";

/** Delay before the queue redelivers a message whose processing failed (e.g. D1 unavailable). */
const ERROR_RETRY_SECONDS = 30;

/** The queue handler: one attempt per message; failures to even process go back to the queue (then the DLQ). */
export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const action = await attemptDelivery(env, message.body.deliveryId, Date.now(), message.attempts - 1);
        if (action.ack) message.ack();
        else message.retry({ delaySeconds: action.delaySeconds });
      } catch (err) {
        console.error(
          JSON.stringify({
            msg: "delivery processing failed",
            deliveryId: message.body.deliveryId,
            error: String(err),
          }),
        );
        message.retry({ delaySeconds: ERROR_RETRY_SECONDS });
      }
    }),
  );
}
