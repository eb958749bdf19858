import { z } from "@hono/zod-openapi";
import { attemptWaitReasons, deliveryStatuses } from "../../storage/db/schema";

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
    waitReason: z
      .enum(attemptWaitReasons)
      .nullable()
      .openapi({
        description:
          "Why the delivery waited after this attempt: `backoff` (the retry schedule), `retry_after` (the receiver's " +
          "Retry-After), `slow_lane` (no answer within the fast lane's timeout: retried at once in the slow lane); null " +
          "when it did not wait (delivered, failed, or recorded before waits were)",
      }),
    nextAttemptAt: z.string().nullable().openapi({ description: "The next attempt this attempt planned" }),
  })
  .openapi("DeliveryAttempt");

const headersOutput = z.record(z.string(), z.string());

/** An attempt in full: the request as sent and the answer, secrets redacted. */
export const attemptDetailOutput = z
  .object({
    request: z.object({
      method: z.string(),
      url: z
        .string()
        .openapi({ description: "A URL that is itself a secret (chat webhooks) shows scheme and host only" }),
      headers: headersOutput.openapi({ description: "Signature, credential and configured headers read [redacted]" }),
      body: z.string(),
    }),
    answer: z
      .object({
        status: z.number().int(),
        headers: headersOutput,
        body: z.string().openapi({ description: "The first 64 KB of the receiver's answer" }),
      })
      .nullable()
      .openapi({ description: "null when no answer came" }),
    durationMs: z.number().int(),
    error: z.string().nullable(),
  })
  .openapi("DeliveryAttemptDetail");

/** One step of a delivery's timeline. */
export const timelineEntryOutput = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("planned"), at: z.string() }),
    z.object({
      kind: z.literal("attempt"),
      at: z.string(),
      outcome: z.enum(["delivered", "retry", "failed"]),
      statusCode: z.number().int().nullable(),
      durationMs: z.number().int(),
      error: z.string().nullable(),
    }),
    z.object({
      kind: z.literal("wait"),
      at: z.string(),
      until: z.string().nullable(),
      reason: z.enum(attemptWaitReasons),
    }),
    z.object({
      kind: z.literal("next"),
      at: z.string(),
      reason: z.enum(["scheduled", "in_flight", "breaker", "held", "by_hand"]).openapi({
        description:
          "`scheduled` as the last wait planned; `in_flight` being attempted now; `breaker` held while the " +
          "destination's circuit is open (until `breakerOpenUntil`); `held` later than planned by a wait not recorded " +
          "per delivery (a breaker hold since ended, or the pacer giving the slot back); `by_hand` sooner, by a retry by hand",
      }),
      breakerOpenUntil: z.string().nullable(),
    }),
  ])
  .openapi("DeliveryTimelineEntry");

/** A delivery with its attempts, oldest first. */
export const deliveryWithAttempts = deliveryOutput
  .extend({ attemptLog: z.array(attemptOutput) })
  .openapi("DeliveryWithAttempts");

/** A delivery with its attempts, oldest first, each with its details when kept, and its timeline. */
export const deliveryDetailOutput = deliveryOutput
  .extend({
    attemptLog: z.array(
      attemptOutput.extend({
        detailStatus: z.enum(["kept", "not_kept", "none", "not_read"]).openapi({
          description:
            "`kept`: `detail` holds the request and answer; `not_kept`: past RAW_RETENTION_DAYS or its archive write " +
            "failed; `none`: no request was sent (or it predates kept details); `not_read`: older than the latest " +
            "attempts whose details are read",
        }),
        detail: attemptDetailOutput.nullable(),
      }),
    ),
    timeline: z.array(timelineEntryOutput),
  })
  .openapi("DeliveryDetail");
