import { app } from "./app";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./delivery/enqueue";
import { sweepDeliveries } from "./delivery/sweeper";
import { produceScheduledEvents } from "./events/producers";
import { sweepRetention } from "./retention/sweep";

export { DestinationPacer } from "./delivery/pacer";

export default {
  fetch: app.fetch,
  queue: consumeDeliveries,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(sweepDeliveries(env, controller.scheduledTime));
    ctx.waitUntil(sweepRetention(env, controller.scheduledTime));
    ctx.waitUntil(produceScheduledEvents(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
