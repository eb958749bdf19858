import { describe, expect, it } from "vitest";
import { admin } from "../support/worker";

const DAY = 24 * 3600 * 1000;

describe("GET /stats validation", () => {
  it.each([
    ["since=last-week", "since", /expected a date/],
    ["until=2026-13-01", "until", /expected a date/],
    ["timezone=Nowhere", "timezone", /IANA/],
    ["timeField=receivedAt", "timeField", /call's own time/],
    ["interval=week", "interval", /./],
    [`since=0&until=${32 * DAY}&interval=hour`, "interval", /31 days/],
    ["sourceID=src_default", "sourceID", /unknown field/],
    ["since=2026-03-27&until=2026-03-26", "until", /after since/],
    ["since=1000&until=1000", "until", /after since/],
    [`since=${Date.now() + DAY}`, "until", /after since/],
    [`since=0&until=${401 * DAY}`, "since", /400 days/],
    ["sourceId=", "sourceId", /./],
  ])("rejects %s with a 400 naming %s", async (query, path, message) => {
    const res = await admin(`/stats?${query}`);
    expect(res.status).toBe(400);
    const { error } = await res.json<{ error: { code: string; details: { path: string; message: string }[] } }>();
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it("accepts a window of exactly 400 days", async () => {
    expect((await admin(`/stats?since=0&until=${400 * DAY}`)).status).toBe(200);
  });
});
