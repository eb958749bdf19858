import { wallClock } from "../../../lib/format-time";

/** Wall-clock time of an instant in `timeZone`. */
export interface LocalTime {
  /** `2026-03-26` */
  date: string;
  /** Minutes after local midnight. */
  minute: number;
  /** How far local wall time is ahead of UTC at that instant, in ms. */
  offsetMs: number;
}

/** The wall-clock date and minute of `epochMs` in `timeZone`. */
export function localTime(epochMs: number, timeZone: string): LocalTime {
  const p: Record<string, number> = {};
  for (const [type, value] of Object.entries(wallClock(epochMs, timeZone).parts)) p[type] = Number(value);
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  const pad = (n: number | undefined) => String(n).padStart(2, "0");
  return {
    date: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    minute: (p.hour ?? 0) * 60 + (p.minute ?? 0),
    offsetMs: wall - (epochMs - (epochMs % 1000)),
  };
}

/** The latest instant at or before `now` whose local time in `timeZone` is `minute` after midnight. */
export function lastLocalMinute(now: number, timeZone: string, minute: number): number {
  const local = localTime(now, timeZone);
  const startOfMinute = now - (now % 60_000);
  let back = local.minute - minute;
  if (back < 0) back += 1440;
  const candidate = startOfMinute - back * 60_000;
  // Across a daylight-saving change the wall clock moved: correct by the change in offset.
  const shift = localTime(candidate, timeZone).offsetMs - local.offsetMs;
  const corrected = candidate - shift;
  return corrected > now ? corrected - 86_400_000 : corrected;
}
