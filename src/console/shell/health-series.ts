import { type Health, sumHealth } from "../../model/health";
import type { HealthHour } from "../../storage/health-rollups";

const HOUR_MS = 3600_000;

/** The console's health windows: how far back, and how many hours one chart column holds. */
export const healthRanges = {
  "24h": { hours: 24, step: 1 },
  "7d": { hours: 24 * 7, step: 6 },
  "30d": { hours: 24 * 30, step: 24 },
} as const;
export type HealthRange = keyof typeof healthRanges;

/**
 * A destination's hourly rows as `hours / step` consecutive periods ending with the current hour, each summed
 * (empty periods included, so a gap shows as a gap).
 */
export function healthPeriods(rows: readonly HealthHour[], now: number, hours: number, step: number) {
  const last = Math.floor(now / HOUR_MS);
  const first = last - hours + 1;
  const periods: { start: number; health: Health }[] = [];
  for (let start = first; start <= last; start += step) {
    const inPeriod = rows.filter((r) => r.hour >= start && r.hour < start + step);
    periods.push({ start: start * HOUR_MS, health: sumHealth(inPeriod) });
  }
  return periods;
}
