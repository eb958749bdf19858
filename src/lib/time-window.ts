/** A zod refinement, `.refine(...untilAfterSince)`, for a window of optional `since` and `until` instants. */
export const untilAfterSince: [
  check: (window: { since?: number; until?: number }) => boolean,
  params: { path: string[]; message: string },
] = [
  (window) => window.since === undefined || window.until === undefined || window.until > window.since,
  { path: ["until"], message: "must be after since" },
];
