import { app } from "./app";
import { consumeDeliveries } from "./pipeline/delivery/consumer";
import { sweepDeliveries } from "./pipeline/delivery/sweeper";
import type { DeliveryMessage } from "./pipeline/dispatch/enqueue";
import { produceScheduledEvents } from "./pipeline/events/producers";
import type { QueuedPush } from "./pipeline/ingest/queue-ingest";
import { consumeQueuedPushes, sweepQueuedPushes } from "./pipeline/ingest/queued";
import { sweepRetention } from "./pipeline/retention/sweep";
import { recordCronRun } from "./storage/cron-run";

export { DestinationPacer } from "./pipeline/delivery/pacer";

/** The queue of pushes archived while D1 was unavailable (wrangler.toml); every other queue carries deliveries. */
const INGEST_QUEUE_NAME = "callrelay-ingest";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === INGEST_QUEUE_NAME) return consumeQueuedPushes(batch as MessageBatch<QueuedPush>, env);
    return consumeDeliveries(batch as MessageBatch<DeliveryMessage>, env);
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(sweepQueuedPushes(env, controller.scheduledTime));
    ctx.waitUntil(sweepDeliveries(env, controller.scheduledTime));
    ctx.waitUntil(sweepRetention(env, controller.scheduledTime));
    ctx.waitUntil(produceScheduledEvents(env, controller.scheduledTime));
    ctx.waitUntil(recordCronRun(env.DB, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, DeliveryMessage | QueuedPush>;
