import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { waitForSlot } from "./pacer";

describe("waitForSlot", () => {
  const perSecond = [{ count: 1, windowMs: 1000 }];
  const telegramGroup = [
    { count: 1, windowMs: 1000 },
    { count: 20, windowMs: 60_000 },
  ];

  it("allows the first send and spaces the next", () => {
    expect(waitForSlot([], perSecond, 5000)).toBe(0);
    expect(waitForSlot([5000], perSecond, 5300)).toBe(700);
    expect(waitForSlot([5000], perSecond, 6000)).toBe(0);
  });

  it("applies the strictest of several rules", () => {
    const sent = Array.from({ length: 20 }, (_, i) => i * 1000);
    expect(waitForSlot(sent, telegramGroup, 20_000)).toBe(40_000);
  });

  it("never lets more than `count` sends into any window when every send waits its turn", () => {
    const rule = fc.record({ count: fc.integer({ min: 1, max: 20 }), windowMs: fc.integer({ min: 100, max: 60_000 }) });
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }),
        (rules, gaps) => {
          const sent: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            now += waitForSlot(sent, rules, now);
            sent.push(now);
          }
          for (const { count, windowMs } of rules) {
            for (let i = count; i < sent.length; i++) {
              expect((sent[i] as number) - (sent[i - count] as number)).toBeGreaterThanOrEqual(windowMs);
            }
          }
        },
      ),
    );
  });
});
