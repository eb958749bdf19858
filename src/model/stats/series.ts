import { formatLocal, instantOf, localTimeAt } from "../../lib/timezone";
import { hourOf, hourStart } from "../../storage/hours";

/** Counts of one hour of call time. */
export interface HourCounts {
  hour: number;
  calls: number;
  connected: number;
}

/** One point of a series: its start as local time with offset, and the counts in it. */
export interface SeriesPoint {
  start: string;
  calls: number;
  connected: number;
}

/**
 * Hourly counts summed into hours or local days of `timeZone`, one point for every bucket of the window
 * `[firstHour, endHour)`, zero-filled. A local day holds the hours that start in it (in a zone whose offset is
 * not whole hours, the hour that straddles midnight counts for the day it starts in).
 */
export function toSeries(
  rows: readonly HourCounts[],
  window: { firstHour: number; endHour: number },
  interval: "hour" | "day",
  timeZone: string,
): SeriesPoint[] {
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  const points: SeriesPoint[] = [];
  let h = window.firstHour;
  while (h < window.endHour) {
    let start = hourStart(h);
    let end = hourStart(h + 1);
    if (interval === "day") {
      const local = localTimeAt(start, timeZone);
      const midnight = { ...local, hour: 0, minute: 0, second: 0 };
      start = instantOf(midnight, timeZone);
      const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
      end = instantOf(
        { ...midnight, year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() },
        timeZone,
      );
    }
    const point = { start: formatLocal(start, timeZone), calls: 0, connected: 0 };
    for (; h < window.endHour && hourStart(h) < end; h++) {
      const counts = byHour.get(h);
      if (counts) {
        point.calls += counts.calls;
        point.connected += counts.connected;
      }
    }
    points.push(point);
  }
  return points;
}

/** The hours `[firstHour, endHour)` that cover the instants `[since, until)`. */
export function coveringHours(since: number, until: number): { firstHour: number; endHour: number } {
  return { firstHour: hourOf(since), endHour: hourOf(until - 1) + 1 };
}
