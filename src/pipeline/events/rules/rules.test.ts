import { describe, expect, it } from "vitest";
import { parseActiveHours } from "../../../model/events/settings";
import { connectRateDrop } from "./connect-rate";
import { ALERT_WINDOW_MS, flushGate, type GateState, HOURLY_WINDOW_MS, passGate } from "./debounce";
import { lastLocalMinute, localTime } from "./local-time";
import { dailyDigestDue, hourlyDigestDue } from "./schedule";
import { silenceSince } from "./silence";
import { storageClaimKey, thresholdsCrossed } from "./storage";

const MIN = 60_000;
/** 2026-03-26 00:00 in Asia/Shanghai (UTC+8). */
const midnight = Date.UTC(2026, 2, 25, 16, 0);
const at = (hh: number, mm = 0) => midnight + (hh * 60 + mm) * MIN;

describe("passGate / flushGate (debounce)", () => {
  it("sends the first at once, holds the rest of the window, then one with the count", () => {
    let state: GateState | null = null;
    const emitted: [number, number][] = [];
    const occur = (now: number, count = 1) => {
      const d = passGate(state, count, now, ALERT_WINDOW_MS);
      state = d.state;
      if (d.emit) emitted.push([now, d.count]);
    };
    occur(at(10), 3);
    occur(at(10, 5), 2);
    occur(at(10, 14));
    expect(emitted).toEqual([[at(10), 3]]);
    occur(at(10, 15), 4);
    expect(emitted).toEqual([
      [at(10), 3],
      [at(10, 15), 7],
    ]);
  });

  it("flushes what was held back once the window has passed, and nothing when nothing was", () => {
    const held = passGate({ sentAt: at(9), pending: 0 }, 2, at(9, 30), HOURLY_WINDOW_MS).state;
    expect(flushGate(held, at(9, 59), HOURLY_WINDOW_MS).emit).toBe(false);
    expect(flushGate(held, at(10), HOURLY_WINDOW_MS)).toEqual({
      emit: true,
      count: 2,
      state: { sentAt: at(10), pending: 0 },
    });
    expect(flushGate({ sentAt: at(9), pending: 0 }, at(12), HOURLY_WINDOW_MS).emit).toBe(false);
  });
});

describe("silenceSince (pushes.silent)", () => {
  const base = { silentMinutes: 30, timezone: "Asia/Shanghai", activeHours: parseActiveHours("09:00-21:00") };

  it("reports silence of silentMinutes inside active hours, from the last push", () => {
    expect(silenceSince({ ...base, now: at(10, 29), lastPushAt: at(10) })).toBeNull();
    expect(silenceSince({ ...base, now: at(10, 30), lastPushAt: at(10) })).toBe(at(10));
  });

  it("counts from the opening of active hours, not from last night's push", () => {
    expect(silenceSince({ ...base, now: at(9, 10), lastPushAt: at(20, 50) - 86_400_000 })).toBeNull();
    expect(silenceSince({ ...base, now: at(9, 30), lastPushAt: at(20, 50) - 86_400_000 })).toBe(at(9));
  });

  it("says nothing outside active hours, and handles hours across midnight", () => {
    expect(silenceSince({ ...base, now: at(22), lastPushAt: at(12) })).toBeNull();
    const night = { ...base, activeHours: parseActiveHours("21:00-06:00") };
    expect(silenceSince({ ...night, now: at(2), lastPushAt: at(1) })).toBe(at(1));
    expect(silenceSince({ ...night, now: at(7), lastPushAt: at(1) })).toBeNull();
  });

  it("watches all day without active hours, and never fires before a first push", () => {
    const allDay = { ...base, activeHours: null };
    expect(silenceSince({ ...allDay, now: at(3), lastPushAt: at(2) })).toBe(at(2));
    expect(silenceSince({ ...allDay, now: at(3), lastPushAt: null })).toBeNull();
  });
});

describe("connectRateDrop (connect_rate.dropped)", () => {
  const week = Array.from({ length: 7 }, () => ({ calls: 100, connected: 60 }));

  it("fires below dropRatio of the 7-day average of that hour", () => {
    expect(connectRateDrop({ calls: 100, connected: 29 }, week, 0.5)).toEqual({ rate: 0.29, averageRate: 0.6 });
    expect(connectRateDrop({ calls: 100, connected: 30 }, week, 0.5)).toBeNull();
  });

  it("needs 50 calls in the hour and a history", () => {
    expect(connectRateDrop({ calls: 49, connected: 0 }, week, 0.5)).toBeNull();
    expect(connectRateDrop({ calls: 50, connected: 0 }, week, 0.5)).not.toBeNull();
    expect(connectRateDrop({ calls: 100, connected: 0 }, [], 0.5)).toBeNull();
  });
});

describe("storage.high thresholds", () => {
  it("names crossed thresholds highest first, claimed per UTC day", () => {
    expect(thresholdsCrossed(79.9)).toEqual([]);
    expect(thresholdsCrossed(85)).toEqual([80]);
    expect(thresholdsCrossed(90)).toEqual([90, 80]);
    expect(storageClaimKey(90, Date.UTC(2026, 2, 26, 23, 59))).toBe("storage.high:90:2026-03-26");
  });
});

describe("digest schedules", () => {
  const nineAm = 9 * 60;

  it("daily: due from digestAt for an hour, covering the 24 hours before, keyed by local date", () => {
    expect(dailyDigestDue("dst_1", at(8, 59), "Asia/Shanghai", nineAm)).toBeNull();
    expect(dailyDigestDue("dst_1", at(9), "Asia/Shanghai", nineAm)).toEqual({
      key: "digest.daily:dst_1:2026-03-26",
      start: at(9) - 86_400_000,
      end: at(9),
    });
    expect(dailyDigestDue("dst_1", at(9, 59), "Asia/Shanghai", nineAm)?.end).toBe(at(9));
    expect(dailyDigestDue("dst_1", at(10), "Asia/Shanghai", nineAm)).toBeNull();
  });

  it("daily: follows the destination's time zone, across daylight saving", () => {
    // 2026-03-29: Europe/Paris goes from UTC+1 to UTC+2 at 02:00 local.
    const slot = dailyDigestDue("d", Date.UTC(2026, 2, 29, 7, 30), "Europe/Paris", nineAm);
    expect(slot?.end).toBe(Date.UTC(2026, 2, 29, 7, 0));
    expect(localTime(Date.UTC(2026, 2, 29, 7, 0), "Europe/Paris").minute).toBe(nineAm);
    expect(lastLocalMinute(Date.UTC(2026, 2, 28, 7, 59), "Europe/Paris", nineAm)).toBe(Date.UTC(2026, 2, 27, 8, 0));
  });

  it("hourly: the last whole hour, one key per hour", () => {
    const now = Date.UTC(2026, 2, 26, 10, 0, 30);
    expect(hourlyDigestDue("d", now)).toEqual({
      key: "digest.hourly:d:2026-03-26T10",
      start: Date.UTC(2026, 2, 26, 9),
      end: Date.UTC(2026, 2, 26, 10),
    });
    expect(hourlyDigestDue("d", now + 59 * MIN).key).toBe("digest.hourly:d:2026-03-26T10");
  });
});
