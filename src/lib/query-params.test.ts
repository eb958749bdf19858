import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { booleanParam, instantParam, integerParam, limitParam } from "./query-params";

const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe("instantParam", () => {
  it("reads epoch milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INSTANT }), (ms) => {
        expect(instantParam.parse(String(ms))).toBe(ms);
      }),
    );
  });

  it("reads ISO 8601 date-times in UTC or with an offset, and dates", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INSTANT }), fc.integer({ min: -14, max: 14 }), (ms, hours) => {
        const date = new Date(ms);
        expect(instantParam.parse(date.toISOString())).toBe(ms);
        const local = new Date(ms + hours * 3600_000).toISOString().slice(0, 23);
        const offset = `${hours < 0 ? "-" : "+"}${String(Math.abs(hours)).padStart(2, "0")}:00`;
        if (ms + hours * 3600_000 >= 0 && ms + hours * 3600_000 <= MAX_INSTANT) {
          expect(instantParam.parse(`${local}${offset}`)).toBe(ms);
        }
      }),
    );
    expect(instantParam.parse("2026-03-26")).toBe(Date.UTC(2026, 2, 26));
    expect(instantParam.parse("2026-03-26T15:22:28+08:00")).toBe(Date.UTC(2026, 2, 26, 7, 22, 28));
  });

  it("rejects anything else with a message, never throwing", () => {
    for (const bad of ["", "yesterday", "2026-02-30", "2026-03-26T07:00:00", "1e3", "-5", "1234567890123456", " 5"]) {
      const result = instantParam.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/ISO 8601/);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        const result = instantParam.safeParse(s);
        if (result.success) expect(Number.isFinite(result.data)).toBe(true);
      }),
    );
  });
});

describe("limitParam, booleanParam, integerParam", () => {
  it("reads a page size of 1 to 200, 50 when absent", () => {
    expect(limitParam.parse(undefined)).toBe(50);
    expect(limitParam.parse("1")).toBe(1);
    expect(limitParam.parse("200")).toBe(200);
    for (const bad of ["0", "201", "2.5", "ten", ""]) expect(limitParam.safeParse(bad).success, bad).toBe(false);
  });

  it("reads true and false only", () => {
    expect(booleanParam.parse("true")).toBe(true);
    expect(booleanParam.parse("false")).toBe(false);
    for (const bad of ["1", "yes", "TRUE", ""]) expect(booleanParam.safeParse(bad).success, bad).toBe(false);
  });

  it("reads digits as an integer", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (n) => {
        expect(integerParam.parse(String(n))).toBe(n);
      }),
    );
    for (const bad of ["-1", "1.0", "abc", "", "1e3"]) expect(integerParam.safeParse(bad).success, bad).toBe(false);
  });
});
