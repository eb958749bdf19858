/** Thresholds of `storage.high`, in percent of D1's limit. */
export const STORAGE_THRESHOLDS = [80, 90] as const;

/** One of the {@link STORAGE_THRESHOLDS}. */
export type StorageThreshold = (typeof STORAGE_THRESHOLDS)[number];

/**
 * The thresholds `percent` is above, highest first: the producer claims each for the day (key
 * {@link storageClaimKey}) and sends an event for the highest it newly claimed, so a jump from 70% to 95% says 90%
 * once, and 85% then 92% in a day says 80% then 90%.
 */
export function thresholdsCrossed(percent: number): StorageThreshold[] {
  return STORAGE_THRESHOLDS.filter((t) => percent >= t).reverse();
}

/** The claim of a threshold for a UTC day: once per threshold per day. */
export function storageClaimKey(threshold: StorageThreshold, now: number): string {
  return `storage.high:${threshold}:${new Date(now).toISOString().slice(0, 10)}`;
}
