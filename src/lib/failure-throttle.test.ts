import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideAttempt } from "./failure-throttle";

const rule = { max: 3, windowMs: 1000 };

describe("decideAttempt", () => {
  it("counts wrong attempts, then locks out even the right secret until the window moves", () => {
    let failures: number[] = [];
    for (const at of [0, 10, 20]) {
      const r = decideAttempt(failures, rule, at, () => false);
      expect(r.outcome).toBe("wrong");
      failures = r.failures;
    }
    let compared = false;
    const locked = decideAttempt(failures, rule, 30, () => {
      compared = true;
      return true;
    });
    expect(locked).toMatchObject({ outcome: "locked", retryAfterMs: 970 });
    expect(compared).toBe(false);
    expect(decideAttempt(failures, rule, 1001, () => true).outcome).toBe("ok");
  });

  it("for any sequence of attempts, no window ever holds more than max wrong ones", () => {
    const attempts = fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.boolean()), { maxLength: 60 });
    fc.assert(
      fc.property(attempts, (steps) => {
        let failures: number[] = [];
        let now = 0;
        const wrong: number[] = [];
        for (const [gap, right] of steps) {
          now += gap;
          const r = decideAttempt(failures, rule, now, () => right);
          if (r.outcome === "wrong") wrong.push(now);
          if (r.outcome === "ok") expect(right).toBe(true);
          failures = r.failures;
          expect(failures.length).toBeLessThanOrEqual(rule.max);
        }
        for (const at of wrong)
          expect(wrong.filter((w) => w > at - rule.windowMs && w <= at).length).toBeLessThanOrEqual(rule.max);
      }),
    );
  });
});
