import { getDestinationType } from "../../messages/destinations/registry";
import { overlapSecrets } from "../../messages/destinations/rotate-secret";
import { resolveOptions } from "../../messages/options";
import type { OutboundRequest, Verdict } from "../../messages/types";
import { eventData, isOperationEventType, type OperationEvent } from "../../model/events/types";
import type { destinations, events } from "../../storage/db/schema";
import { type SendResult, send, verdictOf } from "../dispatch/send";

type DestinationRow = typeof destinations.$inferSelect;

/** A stored event as adapters take it; `undefined` when its type or data is not (or no longer) known. */
export function eventFromRow(row: typeof events.$inferSelect): OperationEvent | undefined {
  if (!isOperationEventType(row.type)) return undefined;
  const data = eventData[row.type].safeParse(row.data);
  return data.success
    ? ({ type: row.type, id: row.id, createdAt: row.createdAt, data: data.data } as OperationEvent)
    : undefined;
}

/** The request one event delivery sends: the destination's type renders it with its options (and signs it). */
export function renderEventDelivery(
  destination: DestinationRow,
  event: OperationEvent,
  deliveryId: string,
  now: number,
): Promise<OutboundRequest> | OutboundRequest {
  const type = getDestinationType(destination.type);
  return type.renderEvent({
    config: destination.config,
    event,
    options: resolveOptions(destination.options, type.chat),
    deliveryId,
    now,
    extraSecrets: overlapSecrets(destination, now),
  });
}

/** One attempt of an event delivery: rendered, sent once with the timeout, and its answer read by the type. */
export async function sendEventDelivery(
  destination: DestinationRow,
  event: OperationEvent,
  deliveryId: string,
  timeoutMs: number,
  now: number,
): Promise<{ result: SendResult; verdict: Verdict }> {
  const request = await renderEventDelivery(destination, event, deliveryId, now);
  const result = await send(request, timeoutMs);
  return { result, verdict: verdictOf(result, getDestinationType(destination.type).classify) };
}
