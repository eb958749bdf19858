import type { destinations } from "../../storage/db/schema";
import type { NormalizedCall } from "../calls/fields";
import { explainFilter } from "./explain";
import { forwardDecision } from "./forward";

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
 * For one destination: whether `call` is forwarded to it, by {@link forwardDecision} (the planner's decision), with the
 * first reason when not: source not selected, `call.reported` not subscribed, the failing filter condition with the
 * call's value, or, for a call it would get, that the destination is disabled (its delivery is kept paused).
 */
export function explainForward(destination: DestinationRow, call: NormalizedCall): ForwardExplanation {
  const about = { destinationId: destination.id, name: destination.name, type: destination.type };
  const decision = forwardDecision(destination, call);
  if (decision.verdict === "deliver") return { ...about, matched: true, reason: null };
  const no = (reason: string) => ({ ...about, matched: false, reason });
  if (decision.verdict === "paused") return no("the destination is disabled");
  if (decision.reason === "source") {
    return no(`source ${call.sourceId} is not selected (sourceIds: ${JSON.stringify(destination.sourceIds)})`);
  }
  if (decision.reason === "events") return no("the destination does not subscribe to call.reported");
  const result = explainFilter(destination.filter, call as unknown as Record<string, unknown>);
  return no(`filter: ${result.matched ? "does not match" : result.reason}`);
}
