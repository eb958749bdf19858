import { z } from "@hono/zod-openapi";
import { isValidTimeZone } from "./format-time";
import { instantOf, type LocalTime } from "./timezone";
import { validationError } from "./validation";

/** A zod refinement, `.refine(...untilAfterSince)`, for a window of optional `since` and `until` instants. */
export const untilAfterSince: [
  check: (window: { since?: number; until?: number }) => boolean,
  params: { path: string[]; message: string },
] = [
  (window) => window.since === undefined || window.until === undefined || window.until > window.since,
  { path: ["until"], message: "must be after since" },
];

/** A `since`/`until` value: an instant, or a wall-clock time to read in the request's time zone. */
export type WindowBound = { instant: number } | { local: LocalTime };

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const withOffset = z.iso.datetime({ offset: true });

/**
 * `since`/`until` of a call-time window: epoch ms, an ISO date-time with `Z` or an offset, or a local date or
 * date-time without one (`2026-03-26`, `2026-03-26T08:00`), read in the request's `timezone`.
 */
export const windowBoundParam = z
  .string()
  .transform((value, ctx): WindowBound => {
    if (/^\d{1,15}$/.test(value)) return { instant: Number(value) };
    if (withOffset.safeParse(value).success) return { instant: Date.parse(value) };
    const m = LOCAL.exec(value);
    if (m) {
      const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
      const local = { year, month, day, hour, minute, second } as LocalTime;
      const back = new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
      const same =
        back.getUTCFullYear() === local.year &&
        back.getUTCMonth() + 1 === local.month &&
        back.getUTCDate() === local.day &&
        back.getUTCHours() === local.hour &&
        back.getUTCMinutes() === local.minute &&
        back.getUTCSeconds() === local.second;
      if (same) return { local };
    }
    ctx.addIssue({
      code: "custom",
      message: "expected a date (2026-03-26) or date-time (2026-03-26T08:00, 2026-03-26T07:00:00Z), or epoch ms",
    });
    return z.NEVER;
  })
  .openapi({
    type: "string",
    description: "Epoch ms, ISO 8601 with `Z` or an offset, or a local date/date-time read in `timezone`",
    example: "2026-03-26",
  });

/** `timezone`: an IANA time zone name (default: the `DEFAULT_TIMEZONE` var). */
export const timezoneParam = z
  .string()
  .max(64)
  .refine(isValidTimeZone, { message: "expected an IANA time zone such as Asia/Shanghai or UTC" })
  .openapi({ example: "Asia/Shanghai", description: "IANA time zone for local dates and day series" });

/** `timeField`: which time `since`/`until` bound: the call's own time (default) or when callrelay received it. */
export const timeFieldParam = z.enum(["callTime", "receivedAt"]).default("callTime").openapi({
  description: "`callTime`: the call's own time (callTime, else submitTime, else receivedAt); `receivedAt`: arrival",
});

/** A bound as epoch ms, local times read in `timeZone`. */
export function resolveBound(bound: WindowBound, timeZone: string): number {
  return "instant" in bound ? bound.instant : instantOf(bound.local, timeZone);
}

/** `since` and `until` as epoch ms in `timeZone`; a 400 unless `until` is after `since`. */
export function resolveWindow(
  q: { since?: WindowBound; until?: WindowBound },
  timeZone: string,
): { since: number | undefined; until: number | undefined } {
  const since = q.since && resolveBound(q.since, timeZone);
  const until = q.until && resolveBound(q.until, timeZone);
  if (since !== undefined && until !== undefined && until <= since) {
    throw validationError([{ path: "until", message: "must be after since" }]);
  }
  return { since, until };
}

/** Throws a 400 naming both ends when a window whose `until` may have defaulted to now is empty. */
export function assertWindow(since: number, until: number, untilGiven: boolean): void {
  if (since < until) return;
  const end = untilGiven ? new Date(until).toISOString() : "now, when not given";
  throw validationError([
    { path: "until", message: `must be after since (${new Date(since).toISOString()}); until is ${end}` },
  ]);
}
