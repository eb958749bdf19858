import { validationError } from "./validation";

/** A zod refinement, `.refine(...untilAfterSince)`, for a window of optional `since` and `until` instants. */
export const untilAfterSince: [
  check: (window: { since?: number; until?: number }) => boolean,
  params: { path: string[]; message: string },
] = [
  (window) => window.since === undefined || window.until === undefined || window.until > window.since,
  { path: ["until"], message: "must be after since" },
];

/** Throws a 400 naming both ends when a window whose `until` may have defaulted to now is empty. */
export function assertWindow(since: number, until: number, untilGiven: boolean): void {
  if (since < until) return;
  const end = untilGiven ? new Date(until).toISOString() : "now, when not given";
  throw validationError([
    { path: "until", message: `must be after since (${new Date(since).toISOString()}); until is ${end}` },
  ]);
}
