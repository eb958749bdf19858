import { app } from "./app";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./delivery/enqueue";
import { sweepDeliveries } from "./delivery/sweeper";
import { produceScheduledEvents } from "./events/producers";
import type { QueuedPush } from "./ingest/queue-ingest";
import { consumeQueuedPushes, sweepQueuedPushes } from "./ingest/queued";
import { runJobs } from "./jobs/run";
import { costMeterAnswer, metered } from "./lib/cost-meter";
import { sweepRetention } from "./retention/sweep";

export { DestinationPacer } from "./delivery/pacer";

/** The queue of pushes archived while D1 was unavailable (wrangler.toml); every other queue carries deliveries. */
const INGEST_QUEUE_NAME = "callrelay-ingest";

export default {
  fetch(request, env, ctx) {
    return costMeterAnswer(request, env) ?? app.fetch(request, metered(env, "fetch"), ctx);
  },
  async queue(batch, bindings) {
    const env = metered(bindings, "queue", batch.messages.length);
    if (batch.queue === INGEST_QUEUE_NAME) return consumeQueuedPushes(batch as MessageBatch<QueuedPush>, env);
    return consumeDeliveries(batch as MessageBatch<DeliveryMessage>, env);
  },
  async scheduled(controller, bindings, ctx) {
    const env = metered(bindings, "scheduled");
    ctx.waitUntil(sweepQueuedPushes(env, controller.scheduledTime));
    ctx.waitUntil(sweepDeliveries(env, controller.scheduledTime));
    ctx.waitUntil(sweepRetention(env, controller.scheduledTime));
    ctx.waitUntil(produceScheduledEvents(env, controller.scheduledTime));
    ctx.waitUntil(runJobs(env.DB, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, DeliveryMessage | QueuedPush>;
