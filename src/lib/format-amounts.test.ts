import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatClock, formatMoney } from "./format-amounts";

describe("formatClock", () => {
  it("reads back to the seconds it was given", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 7 }), (s) => {
        const [m, ss] = formatClock(s).split(":");
        expect(ss).toMatch(/^[0-5]\d$/);
        expect(Number(m) * 60 + Number(ss)).toBe(s);
      }),
    );
    expect([formatClock(65), formatClock(0), formatClock(59.6)]).toEqual(["1:05", "0:00", "1:00"]);
  });
});

describe("formatMoney", () => {
  it("writes the currency with the amount, keeping every decimal", () => {
    expect(formatMoney("1234.5", "USD", "en")).toBe("$1,234.50");
    expect(formatMoney("0.000001", "EUR", "en")).toBe("€0.000001");
    expect(formatMoney("12345678901.123456", "USD", "en")).toBe("$12,345,678,901.123456");
    expect(formatMoney("2", "EUR", "zh")).toBe("€2.00");
    expect(formatMoney("2", "??", "en")).toBe("2 ??");
  });
});
