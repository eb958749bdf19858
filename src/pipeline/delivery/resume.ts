import { eq } from "drizzle-orm";
import { getDb } from "../../storage/db/client";
import { destinations } from "../../storage/db/schema";
import type { DeliveryMessage } from "../dispatch/enqueue";
import { retryNow } from "./retry-now";

/**
 * Closes a destination's circuit breaker by hand (streak and trips back to 0) and sends its retrying deliveries
 * now; the held ones that were pending go out when they fall due.
 */
export async function resumeBreaker(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue<DeliveryMessage>; SLOW_LANE_QUEUE: Queue<DeliveryMessage> },
  destinationId: string,
  now: number,
) {
  await getDb(env.DB)
    .update(destinations)
    .set({ circuit: "closed", failStreak: 0, circuitTrips: 0, openUntil: null })
    .where(eq(destinations.id, destinationId));
  return retryNow(env, { destinationId, statuses: ["retrying"] }, now);
}
