import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_SECONDS, RETRY_SCHEDULE_SECONDS, retryDelaySeconds } from "./backoff";

describe("retryDelaySeconds", () => {
  it("follows the schedule without jitter at the midpoint", () => {
    const mid = () => 0.5;
    expect(RETRY_SCHEDULE_SECONDS.map((_, i) => retryDelaySeconds(i + 1, undefined, mid))).toEqual([
      0, 5, 300, 1800, 7200, 18000, 36000, 36000,
    ]);
  });

  it("gives up after the last scheduled retry", () => {
    expect(retryDelaySeconds(RETRY_SCHEDULE_SECONDS.length + 1)).toBeNull();
  });

  it("stays within ±20% of the schedule", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: RETRY_SCHEDULE_SECONDS.length }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const base = RETRY_SCHEDULE_SECONDS[n - 1] as number;
          const delay = retryDelaySeconds(n, undefined, () => r) as number;
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        },
      ),
    );
  });

  it("honours Retry-After instead of the schedule, capped at 24 h", () => {
    expect(retryDelaySeconds(1, 120)).toBe(120);
    expect(retryDelaySeconds(3, 7)).toBe(7);
    expect(retryDelaySeconds(1, 10 * 86400)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(retryDelaySeconds(RETRY_SCHEDULE_SECONDS.length + 1, 5)).toBeNull();
  });
});
