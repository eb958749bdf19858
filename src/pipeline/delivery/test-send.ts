import { newId } from "../../lib/crypto";
import { getDestinationType } from "../../messages/destinations/registry";
import { overlapSecrets } from "../../messages/destinations/rotate-secret";
import { resolveOptions } from "../../messages/options";
import { storedTemplate } from "../../messages/template";
import { sampleCall } from "../../model/calls/sample-call";
import { sampleEvent } from "../../model/events/samples";
import type { EventType } from "../../model/events/types";
import type { destinations } from "../../storage/db/schema";
import { DEFAULT_SOURCE } from "../../storage/sources";
import { send, verdictOf } from "../dispatch/send";
import { sendEventDelivery } from "../events/send-event";

const RESPONSE_CHARS = 1024;

type DestinationRow = typeof destinations.$inferSelect;

async function sendSampleCall(destination: DestinationRow, timeoutMs: number, now: number) {
  const type = getDestinationType(destination.type);
  const request = await type.render({
    config: destination.config,
    call: sampleCall(destination.sourceIds[0] ?? DEFAULT_SOURCE.id, now),
    options: resolveOptions(destination.options, type.chat),
    deliveryId: newId("test"),
    now,
    extraSecrets: overlapSecrets(destination, now),
    template: storedTemplate(destination.template),
  });
  const result = await send(request, timeoutMs);
  return { result, verdict: verdictOf(result, type.classify) };
}

/**
 * Sends a sample of `event` (the sample call for `call.reported`) to a destination once, as a delivery would (same
 * rendering, signing and timeout), and reports how the answer reads. Nothing is stored and the destination is left as
 * it is, whatever the answer.
 */
export async function testSend(
  destination: DestinationRow,
  timeoutMs: number,
  event: EventType = "call.reported",
  now = Date.now(),
) {
  const { result, verdict } =
    event === "call.reported"
      ? await sendSampleCall(destination, timeoutMs, now)
      : await sendEventDelivery(destination, sampleEvent(event, now), newId("test"), timeoutMs, now);
  return {
    ok: verdict.outcome === "delivered",
    statusCode: "response" in result ? result.response.status : null,
    durationMs: result.durationMs,
    verdict: verdict.outcome,
    responseBody: "response" in result ? result.response.body.slice(0, RESPONSE_CHARS) : null,
    error: verdict.outcome === "delivered" ? null : verdict.reason,
  };
}
