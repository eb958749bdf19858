import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatLocal, instantOf, localTimeAt, offsetAt } from "./timezone";

const zones = ["Asia/Shanghai", "UTC", "Asia/Kolkata", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"];
const seconds = fc.integer({ min: 0, max: 4_102_444_800 }).map((s) => s * 1000);

describe("timezone", () => {
  it("formats an instant as local time with the offset that names the same instant", () => {
    fc.assert(
      fc.property(seconds, fc.constantFrom(...zones), (ms, zone) => {
        expect(Date.parse(formatLocal(ms, zone))).toBe(ms);
      }),
    );
  });

  it("reads a wall-clock time back to an instant showing the same time", () => {
    fc.assert(
      fc.property(seconds, fc.constantFrom(...zones), (ms, zone) => {
        const local = localTimeAt(ms, zone);
        expect(localTimeAt(instantOf(local, zone), zone)).toEqual(local);
      }),
    );
  });

  it("knows fixed offsets and DST", () => {
    expect(offsetAt(Date.UTC(2026, 2, 26), "Asia/Shanghai")).toBe(8 * 3_600_000);
    expect(offsetAt(Date.UTC(2026, 2, 26), "Asia/Kolkata")).toBe(5.5 * 3_600_000);
    expect(offsetAt(Date.UTC(2026, 0, 1), "America/New_York")).toBe(-5 * 3_600_000);
    expect(offsetAt(Date.UTC(2026, 6, 1), "America/New_York")).toBe(-4 * 3_600_000);
    const midnight = { year: 2026, month: 3, day: 26, hour: 0, minute: 0, second: 0 };
    expect(instantOf(midnight, "Asia/Shanghai")).toBe(Date.UTC(2026, 2, 25, 16));
    // 02:30 on 8 March 2026 does not exist in New York: read as 03:30 EDT.
    expect(instantOf({ ...midnight, month: 3, day: 8, hour: 2, minute: 30 }, "America/New_York")).toBe(
      Date.UTC(2026, 2, 8, 7, 30),
    );
  });
});
