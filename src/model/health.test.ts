import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LATENCY_BOUNDS, latencyBucket } from "../storage/health-rollups";
import { histogramQuantile, sumHealth } from "./health";

describe("latency histogram", () => {
  it("puts a duration in the first bucket whose bound holds it", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(50)).toBe(0);
    expect(latencyBucket(51)).toBe(1);
    expect(latencyBucket(10_000)).toBe(7);
    expect(latencyBucket(10_001)).toBe(8);
  });

  it("answers a quantile no lower than the true one and within its bucket", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 20_000 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (ms, p) => {
          const counts = new Array(LATENCY_BOUNDS.length + 1).fill(0);
          for (const m of ms) counts[latencyBucket(m)]++;
          const sorted = [...ms].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(p * ms.length) - 1)] as number;
          const q = histogramQuantile(counts, p) as number;
          expect(q).toBeGreaterThanOrEqual(exact);
          expect(latencyBucket(Math.min(q, 10_001))).toBe(latencyBucket(exact));
        },
      ),
    );
  });

  it("sums hours into a success rate", () => {
    const lat = [1, 0, 0, 0, 0, 0, 0, 0, 1];
    const h = sumHealth([
      { delivered: 3, failed: 1, retried: 0, lastAt: 5, lat },
      { delivered: 0, failed: 0, retried: 0, lastAt: 9, lat: lat.map(() => 0) },
    ]);
    expect(h).toMatchObject({ delivered: 3, failed: 1, successRate: 0.75, p50: 50, lastAt: 9 });
    expect(sumHealth([]).successRate).toBeNull();
  });
});
