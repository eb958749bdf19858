import { formatterFor } from "./format-time";

function formatter(timeZone: string): Intl.DateTimeFormat {
  const f = formatterFor(timeZone);
  if (!f) throw new RangeError(`unknown time zone ${timeZone}`);
  return f;
}

/** A wall-clock time: month 1-12. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at an instant. */
export function localTimeAt(ms: number, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(ms)
      .map((p) => [p.type, Number(p.value)]),
  );
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const DAY_MS = 86_400_000;

const asUtc = (t: LocalTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/** How far `timeZone`'s clocks are ahead of UTC at an instant, in ms. */
export function offsetAt(ms: number, timeZone: string): number {
  return asUtc(localTimeAt(ms - (ms % 1000), timeZone)) - (ms - (ms % 1000));
}

/**
 * The instant a wall-clock time in `timeZone` names: in a DST overlap the earlier one; in a DST gap, the time
 * moved forward by the gap (as Temporal's `compatible`).
 */
export function instantOf(local: LocalTime, timeZone: string): number {
  const guess = asUtc(local);
  const before = guess - offsetAt(guess - DAY_MS, timeZone);
  const after = guess - offsetAt(guess + DAY_MS, timeZone);
  const names = (ms: number) => asUtc(localTimeAt(ms, timeZone)) === guess;
  const valid = [before, after].filter(names);
  return valid.length > 0 ? Math.min(...valid) : before;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An instant as ISO 8601 local time in `timeZone` with its offset, e.g. `2026-03-26T00:00:00+08:00`. */
export function formatLocal(ms: number, timeZone: string): string {
  const t = localTimeAt(ms, timeZone);
  const offsetMinutes = Math.round(offsetAt(ms, timeZone) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
