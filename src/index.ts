import { app } from "./app";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./delivery/enqueue";
import { sweepDeliveries } from "./delivery/sweeper";

export { DestinationPacer } from "./delivery/pacer";

export default {
  fetch: app.fetch,
  queue: consumeDeliveries,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(sweepDeliveries(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
