import { describe, expect, it } from "vitest";
import { clockDuration } from "./call-fields";
import { relativeTime } from "./relative-time";

describe("relativeTime", () => {
  const now = Date.UTC(2026, 2, 26, 12);
  it("says how long ago in the viewer's language", () => {
    expect(relativeTime(now - 5 * 60_000, now, "en")).toBe("5 minutes ago");
    expect(relativeTime(now - 5 * 60_000, now, "zh")).toBe("5分钟前");
    expect(relativeTime(now - 3 * 3600_000, now, "en")).toBe("3 hours ago");
    expect(relativeTime(now + 2 * 86400_000, now, "en")).toBe("in 2 days");
  });
});

describe("clockDuration", () => {
  it("reads seconds as a clock", () => {
    expect(clockDuration(0)).toBe("0:00");
    expect(clockDuration(35)).toBe("0:35");
    expect(clockDuration(65)).toBe("1:05");
    expect(clockDuration(3725)).toBe("1:02:05");
  });
});
