import { app } from "./app";
import { costMeterAnswer, metered } from "./lib/cost-meter";
import { consumeDeliveries } from "./pipeline/delivery/consumer";
import { sweepDeliveries } from "./pipeline/delivery/sweeper";
import type { DeliveryMessage } from "./pipeline/dispatch/enqueue";
import { produceScheduledEvents } from "./pipeline/events/producers";
import type { QueuedPush } from "./pipeline/ingest/queue-ingest";
import { consumeQueuedPushes, sweepQueuedPushes } from "./pipeline/ingest/queued";
import { catchUpStream } from "./pipeline/ingest/stream-catch-up";
import { sweepRetention } from "./pipeline/retention/sweep";
import { recordCronRun } from "./storage/cron-run";
import { runJobs } from "./storage/jobs";

export { DestinationPacer } from "./pipeline/delivery/pacer";
export { AuthThrottle } from "./storage/auth-throttle";

/** The queue of pushes archived while D1 was unavailable (wrangler.toml); every other queue carries deliveries. */
const INGEST_QUEUE_NAME = "callrelay-ingest";

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    return costMeterAnswer(request, env) ?? app.fetch(request, metered(env, "fetch"), ctx);
  },
  async queue(batch, bindings, ctx) {
    const env = metered(bindings, "queue", batch.messages.length);
    if (batch.queue === INGEST_QUEUE_NAME) return consumeQueuedPushes(batch as MessageBatch<QueuedPush>, env);
    return consumeDeliveries(batch as MessageBatch<DeliveryMessage>, env, ctx);
  },
  async scheduled(controller, bindings, ctx) {
    const env = metered(bindings, "scheduled");
    ctx.waitUntil(sweepQueuedPushes(env, controller.scheduledTime));
    ctx.waitUntil(sweepDeliveries(env, controller.scheduledTime));
    ctx.waitUntil(sweepRetention(env, controller.scheduledTime));
    ctx.waitUntil(catchUpStream(env, controller.scheduledTime));
    ctx.waitUntil(produceScheduledEvents(env, controller.scheduledTime));
    ctx.waitUntil(runJobs(env.DB, controller.scheduledTime));
    ctx.waitUntil(recordCronRun(env.DB, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, DeliveryMessage | QueuedPush>;
