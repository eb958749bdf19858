import { describe, expect, it } from "vitest";
import { formatDuration, formatInstant, isValidTimeZone } from "./format-time";

const answerTime = 1774509748000;

describe("formatInstant", () => {
  it("shows wall-clock time in the given zone", () => {
    expect(formatInstant(answerTime, "Asia/Shanghai")).toBe("2026-03-26 15:22:28 (Asia/Shanghai)");
    expect(formatInstant(answerTime, "UTC")).toBe("2026-03-26 07:22:28 (UTC)");
    expect(formatInstant(answerTime, "America/New_York")).toBe("2026-03-26 03:22:28 (America/New_York)");
  });

  it("uses a 24-hour clock with zero padding", () => {
    expect(formatInstant(Date.UTC(2026, 0, 2, 0, 5, 9), "UTC")).toBe("2026-01-02 00:05:09 (UTC)");
    expect(formatInstant(Date.UTC(2026, 0, 2, 23, 0, 0), "UTC")).toBe("2026-01-02 23:00:00 (UTC)");
  });

  it("falls back to UTC for an unknown zone", () => {
    expect(formatInstant(answerTime, "Mars/Olympus")).toBe("2026-03-26 07:22:28 (UTC)");
  });
});

describe("isValidTimeZone", () => {
  it("knows IANA names", () => {
    expect(isValidTimeZone("Asia/Shanghai")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s", "0秒"],
    [35, "35s", "35秒"],
    [60, "1m 00s", "1分00秒"],
    [125, "2m 05s", "2分05秒"],
    [3725, "1h 02m 05s", "1小时02分05秒"],
    [35.9, "35s", "35秒"],
    [-3, "0s", "0秒"],
    [Number.NaN, "0s", "0秒"],
  ])("%s seconds is %s / %s", (seconds, en, zh) => {
    expect(formatDuration(seconds, "en")).toBe(en);
    expect(formatDuration(seconds, "zh")).toBe(zh);
  });
});
