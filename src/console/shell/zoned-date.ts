import { formatterFor } from "../../lib/format-time";

/** How far `timeZone`'s wall clock is ahead of UTC at the instant `at` (ms); UTC for an unknown zone. */
function offsetAt(at: number, timeZone: string): number {
  const f = formatterFor(timeZone) ?? (formatterFor("UTC") as Intl.DateTimeFormat);
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return wall - (at - (at % 1000));
}

/** Epoch ms of midnight starting `date` (`YYYY-MM-DD`) in `timeZone`. */
export function zonedMidnight(date: string, timeZone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const guess = utc - offsetAt(utc, timeZone);
  return utc - offsetAt(guess, timeZone);
}

/** Epoch ms of the last midnight before `now` in `timeZone`. */
export function startOfDay(now: number, timeZone: string): number {
  const wall = now + offsetAt(now, timeZone);
  return zonedMidnight(new Date(wall).toISOString().slice(0, 10), timeZone);
}
