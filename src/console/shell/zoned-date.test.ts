import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { startOfDay, zonedMidnight } from "./zoned-date";

describe("zoned dates", () => {
  it("finds midnight in a zone", () => {
    expect(zonedMidnight("2026-03-26", "Asia/Shanghai")).toBe(Date.parse("2026-03-25T16:00:00Z"));
    expect(zonedMidnight("2026-03-26", "UTC")).toBe(Date.parse("2026-03-26T00:00:00Z"));
    expect(zonedMidnight("2026-07-01", "America/New_York")).toBe(Date.parse("2026-07-01T04:00:00Z"));
  });

  it("puts the start of the day at most 24 h before now, at a wall-clock midnight", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2000-01-01"), max: Date.parse("2100-01-01") }),
        fc.constantFrom("Asia/Shanghai", "UTC", "Asia/Kolkata", "Europe/London"),
        (now, zone) => {
          const start = startOfDay(now, zone);
          expect(start).toBeLessThanOrEqual(now);
          expect(now - start).toBeLessThan(25 * 3600 * 1000);
          const wall = new Intl.DateTimeFormat("en-GB", {
            timeZone: zone,
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
          }).format(start);
          expect(wall).toBe("00:00");
        },
      ),
    );
  });
});
