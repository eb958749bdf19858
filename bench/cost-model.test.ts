import { describe, expect, it } from "vitest";
import { type Measured, monthlyCost, prices, type Usage } from "./lib/cost-model.ts";

const none: Usage = {
  requests: 0,
  cpuMs: 0,
  d1RowsRead: 0,
  d1RowsWritten: 0,
  r2ClassA: 0,
  r2ClassB: 0,
  queueOps: 0,
  durableObjectRequests: 0,
};
const measured = (over: Partial<Measured> = {}): Measured => ({
  perCall: none,
  perDelivery: none,
  perCronRun: none,
  perExpiredCall: none,
  d1BytesPerCall: 0,
  r2BytesPerCall: 0,
  ...over,
});
const keep = { callRetentionDays: 365, rawRetentionDays: 30, d1MaxCalls: 16e6 };
const day = { calls: 100_000, deliveriesPerCall: 0.6, cronRuns: 1440 };
const line = (lines: { name: string; usd: number; quantity: number }[], name: string) =>
  lines.find((l) => l.name === name) ?? { usd: Number.NaN, quantity: Number.NaN };

describe("monthlyCost", () => {
  it("is the subscription alone when nothing is used", () => {
    expect(monthlyCost(day, measured(), keep).total).toBe(prices.subscription);
  });

  it("bills D1 rows written beyond the 50 million a month included, from calls, deliveries and sweeps", () => {
    const m = measured({
      perCall: { ...none, d1RowsWritten: 4 },
      perDelivery: { ...none, d1RowsWritten: 6 },
      perExpiredCall: { ...none, d1RowsWritten: 3 },
    });
    const { lines } = monthlyCost(day, m, keep);
    // (4 + 0.6 × 6 + 3) × 100,000 × 30 = 31.8M: within the included 50M.
    expect(line(lines, "D1 rows written").quantity).toBeCloseTo(31.8e6);
    expect(line(lines, "D1 rows written").usd).toBe(0);
    const big = monthlyCost({ ...day, calls: 1e6 }, m, keep).lines;
    expect(line(big, "D1 rows written").usd).toBeCloseTo(318 - 50);
  });

  it("caps kept calls at what one D1 holds", () => {
    const m = measured({ d1BytesPerCall: 500 });
    expect(line(monthlyCost({ ...day, calls: 1e6 }, m, keep).lines, "D1 storage").quantity).toBeCloseTo(8);
    expect(line(monthlyCost({ ...day, calls: 10_000 }, m, keep).lines, "D1 storage").quantity).toBeCloseTo(1.825);
  });
});
