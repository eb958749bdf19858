import type { destinations } from "../../storage/db/schema";
import type { NormalizedCall } from "../calls/fields";
import { explainFilter } from "./explain";

type DestinationRow = Pick<
  typeof destinations.$inferSelect,
  "id" | "name" | "type" | "enabled" | "sourceIds" | "events" | "filter"
>;

/** Whether a destination forwards a call, and if not, the first reason. */
export interface ForwardExplanation {
  destinationId: string;
  name: string;
  type: string;
  matched: boolean;
  /** `null` when matched. */
  reason: string | null;
}

/**
 * For one destination: whether `call` is forwarded to it, checked in the order delivery checks it: enabled, source
 * selected, `call.reported` subscribed, then the filter (naming the failing condition with the call's value).
 */
export function explainForward(destination: DestinationRow, call: NormalizedCall): ForwardExplanation {
  const about = { destinationId: destination.id, name: destination.name, type: destination.type };
  const no = (reason: string) => ({ ...about, matched: false, reason });
  if (!destination.enabled) return no("the destination is disabled");
  if (destination.sourceIds.length > 0 && !destination.sourceIds.includes(call.sourceId)) {
    return no(`source ${call.sourceId} is not selected (sourceIds: ${JSON.stringify(destination.sourceIds)})`);
  }
  if (!destination.events.includes("call.reported")) return no("the destination does not subscribe to call.reported");
  const result = explainFilter(destination.filter, call as unknown as Record<string, unknown>);
  return result.matched ? { ...about, matched: true, reason: null } : no(`filter: ${result.reason}`);
}
