import { describe, expect, it } from "vitest";
import { historyFindings } from "../../cli/commands/history-findings.mjs";

describe("what doctor says about /health's history key", () => {
  const now = Date.UTC(2026, 11, 6, 3);
  const healthy = {
    configured: true,
    pendingPushes: 1,
    oldestPendingAt: now - 30_000,
    invalidRows: 0,
    lastConfirmedAt: now - 5_000,
    backfillSince: null,
  };

  it("is quiet when the stream keeps up, or there is none", () => {
    expect(historyFindings(healthy, now)).toEqual([]);
    expect(historyFindings({ ...healthy, configured: false, lastConfirmedAt: null }, now)).toEqual([]);
    expect(historyFindings(null, now)).toEqual([]);
  });

  it("names a stalled stream, refused rows and an unfinished backfill", () => {
    const found = historyFindings(
      {
        ...healthy,
        pendingPushes: 40,
        oldestPendingAt: now - 3_600_000,
        invalidRows: 3,
        backfillSince: now - 86_400_000,
      },
      now,
    );
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/^40 pushes wait for the calls stream/);
    expect(found[1]).toMatch(/^3 call rows did not match/);
    expect(found[2]).toMatch(/backfill .* is unfinished/);
  });
});
