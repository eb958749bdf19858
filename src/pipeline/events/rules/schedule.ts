import { lastLocalMinute, localTime } from "./local-time";

/** One digest to produce: the period it covers and the claim that makes it once only. */
export interface DigestSlot {
  key: string;
  start: number;
  end: number;
}

/** How late a scheduled run may still produce a digest it missed (a cron run skipped or failing). */
export const DIGEST_CATCH_UP_MS = 60 * 60_000;

const HOUR_MS = 3_600_000;

/**
 * The daily digest due for a destination at `now`: the 24 hours before today's `digestAt` (minutes after local
 * midnight in `timezone`), once `digestAt` has passed and for up to {@link DIGEST_CATCH_UP_MS} after; null otherwise.
 */
export function dailyDigestDue(
  destinationId: string,
  now: number,
  timezone: string,
  digestAt: number,
): DigestSlot | null {
  const end = lastLocalMinute(now, timezone, digestAt);
  if (now - end >= DIGEST_CATCH_UP_MS) return null;
  return { key: `digest.daily:${destinationId}:${localTime(end, timezone).date}`, start: end - 86_400_000, end };
}

/** The hourly digest due at `now`: the last whole UTC hour. */
export function hourlyDigestDue(destinationId: string, now: number): DigestSlot {
  const end = now - (now % HOUR_MS);
  return {
    key: `digest.hourly:${destinationId}:${new Date(end).toISOString().slice(0, 13)}`,
    start: end - HOUR_MS,
    end,
  };
}
