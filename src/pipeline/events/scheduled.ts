import type { EventSettings } from "../../model/events/settings";
import type { EventData } from "../../model/events/types";
import { connectRateDrop, type HourCount } from "./rules/connect-rate";
import { dailyDigestDue, hourlyDigestDue } from "./rules/schedule";
import { storageClaimKey, thresholdsCrossed } from "./rules/storage";
import type { NewEvent } from "./store";

const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The storage figure the watchdog reports. */
export interface StorageFigure {
  bytes: number;
  limitBytes: number;
}

/** `storage.high` for the highest threshold crossed, claimed per threshold and UTC day; none below 80%. */
export function storageEvent(figure: StorageFigure, now: number): NewEvent | null {
  const percent = (figure.bytes / figure.limitBytes) * 100;
  const [threshold] = thresholdsCrossed(percent);
  if (threshold === undefined) return null;
  return {
    type: "storage.high",
    claimKey: storageClaimKey(threshold, now),
    data: { ...figure, percent: Math.round(percent * 10) / 10, threshold },
  };
}

/** The claim of a destination's `connect_rate.dropped` for the hour ended at `now`: once per hour. */
export const connectRateClaimKey = (destinationId: string, now: number) =>
  `connect_rate.dropped:${destinationId}:${iso(now - (now % HOUR_MS)).slice(0, 13)}`;

/** `connect_rate.dropped` for one destination, the hour just ended at `now`, once per hour; null when no drop. */
export function connectRateEvent(
  destinationId: string,
  settings: Pick<EventSettings, "dropRatio">,
  hour: HourCount,
  sameHourBefore: readonly HourCount[],
  now: number,
): NewEvent | null {
  const drop = connectRateDrop(hour, sameHourBefore, settings.dropRatio);
  if (!drop) return null;
  const end = now - (now % HOUR_MS);
  return {
    type: "connect_rate.dropped",
    onlyTo: destinationId,
    claimKey: connectRateClaimKey(destinationId, now),
    data: { hour: { start: iso(end - HOUR_MS), end: iso(end) }, ...hour, ...drop, dropRatio: settings.dropRatio },
  };
}

/** The digest periods due for a destination at `now` (daily at `digestAt`, hourly), with their claim keys. */
export function digestsDue(destinationId: string, types: readonly string[], settings: EventSettings, now: number) {
  const due: { type: "digest.daily" | "digest.hourly"; key: string; start: number; end: number }[] = [];
  if (types.includes("digest.daily")) {
    const slot = dailyDigestDue(destinationId, now, settings.timezone, settings.digestAt);
    if (slot) due.push({ type: "digest.daily", ...slot });
  }
  if (types.includes("digest.hourly")) due.push({ type: "digest.hourly", ...hourlyDigestDue(destinationId, now) });
  return due;
}

/** A digest event for a due period, once its figures are read (from the rollups). */
export function digestEvent(
  destinationId: string,
  slot: ReturnType<typeof digestsDue>[number],
  data: EventData<"digest.daily">,
): NewEvent {
  return { type: slot.type, onlyTo: destinationId, claimKey: slot.key, data };
}
