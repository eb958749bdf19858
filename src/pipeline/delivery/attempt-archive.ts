import { describeError } from "../../lib/log-error";
import { redactExchange } from "../../messages/redact";
import type { DestinationType, OutboundRequest, Verdict } from "../../messages/types";
import { attemptsKey, attemptsObject } from "../../storage/attempt-details";
import type { destinations } from "../../storage/db/schema";
import type { SendResult } from "../dispatch/send";

/** What archiving one attempt needs to know of its message. */
export interface ArchivedJob {
  destination: Pick<typeof destinations.$inferSelect, "config" | "previousSecret">;
  type: DestinationType;
  members: readonly { id: string }[];
}

/**
 * The full attempts of one consumer batch (request as sent and answer, secrets redacted) kept in R2 as one gzip NDJSON
 * object, written once the batch's outcomes are recorded; the one place that makes an attempt safe to keep. Each attempt row names the object (`detail_key`); an
 * attempt that cannot be archived, or an object that cannot be written, is logged and loses only its details.
 */
export function attemptArchive(now: number) {
  const object = attemptsObject(attemptsKey(crypto.randomUUID(), now));
  return {
    /**
     * Adds one sent request and what came back, and answers what the attempt's rows may keep: the answer and the
     * verdict with every secret of the request hidden (a receiver may echo them), and the key of the object, or null
     * when the details could not be kept. A previous signing secret is hidden too, whether or not its overlap ended.
     */
    add(
      job: ArchivedJob,
      request: OutboundRequest,
      sent: SendResult,
      verdict: Verdict,
      attemptedAt: number,
    ): { detailKey: string | null; sent: SendResult; verdict: Verdict } {
      try {
        const { config, previousSecret } = job.destination;
        const answer = "response" in sent ? sent.response : null;
        const previous = previousSecret ? [previousSecret] : [];
        const safe = redactExchange(job.type, config as Record<string, unknown>, previous, request, answer);
        object.add({
          deliveryIds: job.members.map((m) => m.id),
          attemptedAt,
          durationMs: sent.durationMs,
          request: safe.request,
          answer: safe.answer,
          error: "error" in sent ? safe.hide(sent.error) : null,
        });
        return {
          detailKey: object.key,
          sent:
            "response" in sent
              ? { ...sent, response: { ...sent.response, body: safe.hide(sent.response.body) } }
              : { ...sent, error: safe.hide(sent.error) },
          verdict: verdict.outcome === "delivered" ? verdict : { ...verdict, reason: safe.hide(verdict.reason) },
        };
      } catch (err) {
        console.error(JSON.stringify({ msg: "attempt not archived", error: describeError(err) }));
        return { detailKey: null, sent, verdict };
      }
    },
    /** Writes the object; never throws (a failure is logged: the attempts' pages say their details were not kept). */
    async write(bucket: R2Bucket): Promise<void> {
      try {
        await object.put(bucket);
      } catch (err) {
        console.error(
          JSON.stringify({ msg: "attempts archive write failed", key: object.key, error: describeError(err) }),
        );
      }
    },
  };
}

/** One consumer batch's archive. */
export type AttemptArchive = ReturnType<typeof attemptArchive>;
