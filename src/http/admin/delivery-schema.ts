import { z } from "@hono/zod-openapi";
import { deliveryStatuses } from "../../storage/db/schema";

/** A delivery as the admin API shows it. */
export const deliveryOutput = z
  .object({
    id: z.string(),
    destinationId: z.string(),
    destinationName: z.string().nullable().openapi({ description: "null once the destination is deleted" }),
    sourceId: z.string(),
    voiceId: z.string(),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int().openapi({ description: "Attempts since it was created or last retried by hand" }),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Delivery");

/** One attempt of a delivery. */
export const attemptOutput = z
  .object({
    attemptedAt: z.string(),
    statusCode: z.number().int().nullable().openapi({ description: "null when no answer came (timeout, network)" }),
    durationMs: z.number().int(),
    outcome: z.enum(["delivered", "retry", "failed"]),
    error: z.string().nullable(),
    responseBody: z.string().nullable().openapi({ description: "The first 1 KB of the receiver's answer" }),
  })
  .openapi("DeliveryAttempt");

/** A delivery with its attempts, oldest first. */
export const deliveryWithAttempts = deliveryOutput
  .extend({ attemptLog: z.array(attemptOutput) })
  .openapi("DeliveryWithAttempts");
