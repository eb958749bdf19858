import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { computeStats } from "../../src/http/admin/stats";
import { getDb } from "../../src/storage/db/client";
import { push, record } from "../support/worker";

describe("computeStats with only some parts (the console's overview)", () => {
  it("answers the same totals and the parts asked for, and leaves the others empty", async () => {
    const taskId = 880_000 + Math.floor(Math.random() * 1000);
    expect((await push({ array: [record({ taskId }), record({ taskId, intentCode: "303" })] })).status).toBe(200);
    const window = {
      since: Date.UTC(2026, 0, 1),
      until: Date.UTC(2027, 0, 1),
      interval: "day" as const,
      timeZone: "UTC",
      limitBytes: 1e10,
    };
    const db = getDb(env.DB);
    const all = await computeStats(db, window);
    const some = await computeStats(db, window, ["byIntent", "deliveries"]);
    expect(all.byIntent.length).toBeGreaterThan(0);
    expect(all.byTask.length).toBeGreaterThan(0);
    expect(some).toEqual({
      ...all,
      byCallDescription: [],
      byTask: [],
      series: { ...all.series, points: expect.any(Array) },
    });
    expect(some.series.points.every((p) => p.calls === 0)).toBe(true);
    const series = await computeStats(db, window, ["series"]);
    expect(series.series).toEqual(all.series);
    expect(series.byIntent).toEqual([]);
    expect(series.deliveries).toEqual([]);
  });
});
