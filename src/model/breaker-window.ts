/** The sliding window a destination's attempts are judged over. */
export const HEALTH_WINDOW_MS = 60_000;
/** The window is kept as buckets this long (so it slides by this much). */
export const HEALTH_BUCKET_MS = 10_000;
/** Fewest attempts in the window before its failure rate can open the breaker. */
export const MIN_JUDGED_ATTEMPTS = 40;
/** Share of the window's attempts that must have failed or timed out to open the breaker. */
export const FAILING_RATE = 0.5;
/** No success for this long, with at least {@link STALLED_MIN_FAILURES} failures since, also opens the breaker. */
export const STALLED_MS = 30_000;
export const STALLED_MIN_FAILURES = 8;
/** Timeouts in the window that move a destination to the slow lane, when they are also {@link SLOW_RATE} of its attempts. */
export const SLOW_MIN_TIMEOUTS = 3;
export const SLOW_RATE = 0.2;

/** Attempts of one destination in one bucket of the window. */
export interface Bucket {
  /** Start of the bucket (a multiple of {@link HEALTH_BUCKET_MS}). */
  at: number;
  attempts: number;
  /** Failed or timed out. */
  failed: number;
  timedOut: number;
}

/** What a destination's attempts have shown lately. */
export interface Health {
  buckets: Bucket[];
  lastSuccessAt: number | null;
  /** The first failure after the last success, or null when the last attempt succeeded. */
  failingSince: number | null;
  failuresSinceSuccess: number;
}

export const NO_HEALTH: Health = { buckets: [], lastSuccessAt: null, failingSince: null, failuresSinceSuccess: 0 };

/** How one attempt went, for the breaker and the lanes: answered successfully, failed, or got no answer in time. */
export interface Observation {
  at: number;
  ok: boolean;
  timedOut: boolean;
}

/** The window's totals at `now`. */
export function windowTotals(health: Health, now: number) {
  const live = health.buckets.filter((b) => b.at > now - HEALTH_WINDOW_MS);
  const sum = (key: "attempts" | "failed" | "timedOut") => live.reduce((n, b) => n + b[key], 0);
  return { attempts: sum("attempts"), failed: sum("failed"), timedOut: sum("timedOut") };
}

/** `health` with `observations` added (in time order) and buckets older than the window dropped. */
export function observe(health: Health, observations: readonly Observation[], now: number): Health {
  const buckets = new Map(health.buckets.filter((b) => b.at > now - HEALTH_WINDOW_MS).map((b) => [b.at, { ...b }]));
  let { lastSuccessAt, failingSince, failuresSinceSuccess } = health;
  for (const o of [...observations].sort((a, b) => a.at - b.at)) {
    const at = o.at - (o.at % HEALTH_BUCKET_MS);
    if (at <= now - HEALTH_WINDOW_MS) continue;
    const bucket = buckets.get(at) ?? { at, attempts: 0, failed: 0, timedOut: 0 };
    bucket.attempts += 1;
    if (!o.ok) bucket.failed += 1;
    if (o.timedOut) bucket.timedOut += 1;
    buckets.set(at, bucket);
    if (o.ok) {
      if (lastSuccessAt === null || o.at >= lastSuccessAt) {
        lastSuccessAt = o.at;
        failingSince = null;
        failuresSinceSuccess = 0;
      }
    } else if (lastSuccessAt === null || o.at >= lastSuccessAt) {
      failingSince ??= o.at;
      failuresSinceSuccess += 1;
    }
  }
  return {
    buckets: [...buckets.values()].sort((a, b) => a.at - b.at),
    lastSuccessAt,
    failingSince,
    failuresSinceSuccess,
  };
}

/** The verdict on a destination's recent attempts. */
export interface Judgement {
  /** Mostly failing: its breaker should open. */
  failing: boolean;
  /** Repeatedly not answering in time: its first attempts should go to the slow lane. */
  slow: boolean;
  /** Failed or timed-out attempts in the window. */
  failures: number;
}

/**
 * Failing when at least {@link FAILING_RATE} of at least {@link MIN_JUDGED_ATTEMPTS} attempts in the last minute
 * failed or timed out, or when nothing succeeded for {@link STALLED_MS} while at least {@link STALLED_MIN_FAILURES}
 * attempts failed. Slow when at least {@link SLOW_MIN_TIMEOUTS} attempts in the last minute timed out and they are at
 * least {@link SLOW_RATE} of its attempts.
 */
export function judge(health: Health, now: number): Judgement {
  const { attempts, failed, timedOut } = windowTotals(health, now);
  const byRate = attempts >= MIN_JUDGED_ATTEMPTS && failed >= attempts * FAILING_RATE;
  const stalled =
    health.failingSince !== null &&
    health.failingSince <= now - STALLED_MS &&
    health.failuresSinceSuccess >= STALLED_MIN_FAILURES;
  return {
    failing: byRate || stalled,
    slow: timedOut >= SLOW_MIN_TIMEOUTS && timedOut >= attempts * SLOW_RATE,
    failures: Math.max(failed, health.failuresSinceSuccess),
  };
}
