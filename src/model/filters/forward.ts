import { matchesFilter } from "./evaluate";
import type { Filter } from "./validate";

/** What deciding whether a destination gets a call needs of the destination. */
export interface ForwardTarget {
  enabled: boolean;
  sourceIds: readonly string[];
  events: readonly string[];
  filter: Filter;
}

/** Why a call is not forwarded to a destination: its source is not selected, `call.reported` is not subscribed, or the filter fails. */
export type SkipReason = "source" | "events" | "filter";

/** See {@link forwardDecision}. */
export type ForwardDecision = { verdict: "deliver" } | { verdict: "paused" } | { verdict: "skip"; reason: SkipReason };

/**
 * Whether a destination gets a call: `deliver` (a pending delivery), `paused` (it would, but the destination is
 * disabled: the delivery is kept paused until it is enabled again), or `skip` with the first reason, checked as
 * sources, then `events` includes `call.reported`, then the filter. The planner, replay, explain and the filter
 * preview all decide with this function.
 */
export function forwardDecision(
  target: ForwardTarget,
  call: { sourceId: string } & Record<string, unknown>,
): ForwardDecision {
  if (target.sourceIds.length > 0 && !target.sourceIds.includes(call.sourceId))
    return { verdict: "skip", reason: "source" };
  if (!target.events.includes("call.reported")) return { verdict: "skip", reason: "events" };
  if (!matchesFilter(target.filter, call)) return { verdict: "skip", reason: "filter" };
  return { verdict: target.enabled ? "deliver" : "paused" };
}
