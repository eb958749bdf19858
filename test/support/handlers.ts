import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { rows } from "./worker";

/** Runs the Worker's cron handler at `scheduledTime`, with `bindings`, and waits for all its work. */
export async function runCron(scheduledTime = Date.now(), bindings: Env = env) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}

/** Hands the Worker's queue handler one batch carrying `deliveryIds`, and answers what it acked or retried. */
export async function consume(deliveryIds: readonly string[], queue = "callrelay-deliveries") {
  const batch = createMessageBatch(
    queue,
    deliveryIds.map((deliveryId) => ({
      id: crypto.randomUUID(),
      timestamp: new Date(),
      attempts: 1,
      body: { deliveryId },
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
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
