import type { ActiveHours } from "../../../model/events/settings";
import { localTime } from "./local-time";

/** What a destination knows when it checks for silence. */
export interface SilenceInput {
  now: number;
  /** The latest push from the sources it watches, or null when none came. */
  lastPushAt: number | null;
  silentMinutes: number;
  activeHours: ActiveHours | null;
  timezone: string;
}

function inHours(minute: number, hours: ActiveHours): boolean {
  return hours.from < hours.to ? minute >= hours.from && minute < hours.to : minute >= hours.from || minute < hours.to;
}

/**
 * When the current silence began, if it is one to report now: `now` is inside the active hours and nothing has been
 * pushed for `silentMinutes` of them. Silence counts from the later of the last push and the start of today's active
 * hours, so a quiet night does not alert at the opening minute. Null otherwise. Report a silence once: its start is
 * its identity.
 */
export function silenceSince(input: SilenceInput): number | null {
  const { now, lastPushAt, silentMinutes, activeHours, timezone } = input;
  const local = localTime(now, timezone);
  let since = lastPushAt ?? Number.NEGATIVE_INFINITY;
  if (activeHours) {
    if (!inHours(local.minute, activeHours)) return null;
    const minutesIn = (local.minute - activeHours.from + 1440) % 1440;
    const opened = now - (now % 60_000) - minutesIn * 60_000;
    since = Math.max(since, opened);
  }
  if (!Number.isFinite(since)) return null;
  return now - since >= silentMinutes * 60_000 ? since : null;
}
