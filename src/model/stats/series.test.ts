import { describe, expect, it } from "vitest";
import { hourOf } from "../../storage/hours";
import { coveringHours, toSeries } from "./series";

describe("toSeries", () => {
  it("widens a window to whole hours", () => {
    expect(coveringHours(Date.UTC(2026, 2, 26, 1, 30), Date.UTC(2026, 2, 26, 3))).toEqual({
      firstHour: hourOf(Date.UTC(2026, 2, 26, 1)),
      endHour: hourOf(Date.UTC(2026, 2, 26, 3)),
    });
  });

  it("sums hours into local days, zero-filled", () => {
    const first = hourOf(Date.UTC(2026, 2, 24, 16));
    const rows = [
      { hour: first, calls: 2, connected: 1 },
      { hour: first + 23, calls: 3, connected: 0 },
      { hour: first + 24, calls: 5, connected: 5 },
    ];
    expect(toSeries(rows, { firstHour: first, endHour: first + 72 }, "day", "Asia/Shanghai")).toEqual([
      { start: "2026-03-25T00:00:00+08:00", calls: 5, connected: 1 },
      { start: "2026-03-26T00:00:00+08:00", calls: 5, connected: 5 },
      { start: "2026-03-27T00:00:00+08:00", calls: 0, connected: 0 },
    ]);
  });

  it("keeps a 23-hour DST day and a half-hour offset", () => {
    const first = hourOf(Date.UTC(2026, 2, 8, 5));
    const rows = Array.from({ length: 48 }, (_, i) => ({ hour: first + i, calls: 1, connected: 0 }));
    const ny = toSeries(rows, { firstHour: first, endHour: first + 48 }, "day", "America/New_York");
    expect(ny.map((p) => [p.start, p.calls])).toEqual([
      ["2026-03-08T00:00:00-05:00", 23],
      ["2026-03-09T00:00:00-04:00", 24],
      ["2026-03-10T00:00:00-04:00", 1],
    ]);
    const kolkata = toSeries(rows, { firstHour: first, endHour: first + 48 }, "day", "Asia/Kolkata");
    expect(kolkata.map((p) => p.start)).toEqual([
      "2026-03-08T00:00:00+05:30",
      "2026-03-09T00:00:00+05:30",
      "2026-03-10T00:00:00+05:30",
    ]);
    expect(kolkata.reduce((n, p) => n + p.calls, 0)).toBe(48);
  });

  it("labels hours in local time", () => {
    const first = hourOf(Date.UTC(2026, 2, 25, 15));
    expect(toSeries([], { firstHour: first, endHour: first + 2 }, "hour", "Asia/Shanghai")).toEqual([
      { start: "2026-03-25T23:00:00+08:00", calls: 0, connected: 0 },
      { start: "2026-03-26T00:00:00+08:00", calls: 0, connected: 0 },
    ]);
  });
});
