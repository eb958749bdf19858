import { LATENCY_BOUNDS } from "../storage/health-rollups";

/**
 * The `p` quantile (0..1) of a histogram, as the upper bound of the bucket it falls in (`Infinity`: slower than the
 * last bound); null for an empty histogram.
 */
export function histogramQuantile(counts: readonly number[], p: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return LATENCY_BOUNDS[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

/** A destination's health over some hours: counts, success rate, latency quantiles, last attempt. */
export interface Health {
  delivered: number;
  failed: number;
  retried: number;
  /** Delivered among all attempts; null without attempts. */
  successRate: number | null;
  p50: number | null;
  p95: number | null;
  lastAt: number | null;
}

type HealthRow = { delivered: number; failed: number; retried: number; lastAt: number; lat: number[] };

/** Sums hourly health rows into one {@link Health}. */
export function sumHealth(rows: readonly HealthRow[]): Health {
  const lat = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
  let delivered = 0;
  let failed = 0;
  let retried = 0;
  let lastAt: number | null = null;
  for (const r of rows) {
    delivered += r.delivered;
    failed += r.failed;
    retried += r.retried;
    lastAt = lastAt === null ? r.lastAt : Math.max(lastAt, r.lastAt);
    r.lat.forEach((n, i) => {
      lat[i] = (lat[i] ?? 0) + n;
    });
  }
  const attempts = delivered + failed + retried;
  return {
    delivered,
    failed,
    retried,
    successRate: attempts === 0 ? null : delivered / attempts,
    p50: histogramQuantile(lat, 0.5),
    p95: histogramQuantile(lat, 0.95),
    lastAt,
  };
}
