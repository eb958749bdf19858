import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HEALTH_WINDOW_MS,
  judge,
  MIN_JUDGED_ATTEMPTS,
  NO_HEALTH,
  type Observation,
  observe,
  STALLED_MIN_FAILURES,
  STALLED_MS,
  windowTotals,
} from "./breaker-window";

const at = (ms: number, ok: boolean, timedOut = false): Observation => ({ at: ms, ok, timedOut });

/** `n` attempts spread over `spanMs` from `start`, failing where `fails(i)`. */
function attempts(n: number, start: number, spanMs: number, fails: (i: number) => boolean, timedOut = false) {
  return Array.from({ length: n }, (_, i) => at(start + Math.floor((i * spanMs) / n), !fails(i), timedOut && fails(i)));
}

describe("the breaker's judgement", () => {
  it("just under the threshold stays closed; at it, it opens", () => {
    const now = 100_000;
    const n = MIN_JUDGED_ATTEMPTS;
    const under = observe(
      NO_HEALTH,
      attempts(n, now - 50_000, 50_000, (i) => i < n / 2 - 1),
      now,
    );
    expect(judge(under, now).failing).toBe(false);
    const over = observe(
      NO_HEALTH,
      attempts(n, now - 50_000, 50_000, (i) => i < n / 2),
      now,
    );
    expect(judge(over, now)).toMatchObject({ failing: true, failures: n / 2 });
    const tooFew = observe(
      NO_HEALTH,
      attempts(n - 1, now - 20_000, 10_000, () => true),
      now,
    );
    expect(judge(tooFew, now).failing).toBe(false);
  });

  it("opens when nothing succeeded for 30 s while attempts kept failing", () => {
    const start = 1_000_000;
    const failures = attempts(STALLED_MIN_FAILURES, start + 1000, 20_000, () => true);
    const end = start + 1000 + STALLED_MS;
    const enough = observe(NO_HEALTH, [at(start, true), ...failures], start + 21_000);
    expect(judge(enough, end - 1).failing).toBe(false);
    expect(judge(enough, end).failing).toBe(true);
    const fewer = observe(NO_HEALTH, [at(start, true), ...failures.slice(1)], start + 21_000);
    expect(judge(fewer, end + 1000).failing).toBe(false);
    const recovered = observe(enough, [at(end + 500, true)], end + 500);
    expect(judge(recovered, end + 500).failing).toBe(false);
  });

  it("forgets attempts older than a minute", () => {
    const h = observe(
      NO_HEALTH,
      attempts(MIN_JUDGED_ATTEMPTS, 0, 10_000, () => true),
      10_000,
    );
    expect(windowTotals(h, 10_000).attempts).toBe(MIN_JUDGED_ATTEMPTS);
    expect(judge(h, 10_000).failing).toBe(true);
    expect(windowTotals(h, 10_000 + HEALTH_WINDOW_MS).attempts).toBe(0);
    const later = observe(h, [at(HEALTH_WINDOW_MS + 20_000, true)], HEALTH_WINDOW_MS + 20_000);
    expect(judge(later, HEALTH_WINDOW_MS + 20_000).failing).toBe(false);
  });

  // The seed is fixed so the run is reproducible: at 40 attempts a window, a 15% receiver fails half of them with
  // probability 2·10⁻⁷ (README, "The breaker's rule"), rare enough that no seed should find one.
  it("a receiver failing 15% of attempts at random never opens the breaker, at any rate from 20 to 600 a minute", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 600 }), fc.integer({ min: 1, max: 2 ** 31 - 2 }), (perMinute, seed) => {
        let state = seed;
        const random = () => {
          state = (state * 48_271) % 2_147_483_647;
          return state / 2_147_483_647;
        };
        let h = NO_HEALTH;
        const step = 10_000 / Math.max(1, Math.round(perMinute / 6));
        for (let batch = 0; batch < 30; batch++) {
          const start = batch * 10_000;
          const n = Math.max(1, Math.round(perMinute / 6));
          const now = start + 10_000;
          h = observe(
            h,
            Array.from({ length: n }, (_, i) => at(start + i * step, random() >= 0.15)),
            now,
          );
          expect(judge(h, now).failing).toBe(false);
        }
      }),
      { numRuns: 300, seed: 20_261_206 },
    );
  });

  it("moves to the slow lane on repeated timeouts only: 3 or more that are a fifth of the minute's attempts", () => {
    const now = 55_000;
    const one = observe(NO_HEALTH, [...attempts(300, 0, 50_000, () => false), at(50_000, false, true)], now);
    expect(judge(one, now).slow).toBe(false);
    const twoPercent = observe(
      NO_HEALTH,
      attempts(300, 0, 50_000, (i) => i % 50 === 0, true),
      now,
    );
    expect(judge(twoPercent, now).slow).toBe(false);
    expect(
      judge(
        observe(
          NO_HEALTH,
          attempts(3, 1000, 3000, () => true, true),
          now,
        ),
        now,
      ).slow,
    ).toBe(true);
    expect(
      judge(
        observe(
          NO_HEALTH,
          attempts(2, 1000, 3000, () => true, true),
          now,
        ),
        now,
      ).slow,
    ).toBe(false);
  });
});
