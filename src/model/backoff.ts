/**
 * Delay before each retry, in seconds: Svix's schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h). A delivery gets one attempt plus one per entry.
 */
export const RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000] as const;

/** Longest `Retry-After` honoured. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/** Longest delay Cloudflare Queues accept for `message.retry`; longer waits are left to the sweeper. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 3600;

/**
 * Seconds to wait after failed attempt number `attempts` (1-based), with ±20% jitter, or null when the
 * schedule is exhausted. A receiver's `Retry-After` replaces the scheduled delay, capped at 24 h.
 */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number, random = Math.random): number | null {
  const scheduled = RETRY_SCHEDULE_SECONDS[attempts - 1];
  if (scheduled === undefined) return null;
  if (retryAfterSeconds !== undefined)
    return Math.min(Math.max(0, Math.ceil(retryAfterSeconds)), MAX_RETRY_AFTER_SECONDS);
  return Math.round(scheduled * (0.8 + 0.4 * random()));
}
