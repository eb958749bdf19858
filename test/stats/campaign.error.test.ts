import { describe, expect, it } from "vitest";
import { admin } from "../support/worker";

const tasks = (query: string) => admin(`/stats/tasks?${query}`);
const filter = (f: unknown) => `filter=${encodeURIComponent(JSON.stringify(f))}`;

describe("GET /stats/tasks refuses", () => {
  it("a filter on a field the rollups do not keep, naming it and the fields it may use", async () => {
    const res = await tasks(filter({ $or: [{ intentCode: "302" }, { callDuration: { $gte: 30 } }] }));
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; details: { path: string; message: string }[] } }>();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details).toEqual([
      {
        path: "filter",
        message:
          "a campaign filter can use only sourceId, taskId, intentCode, currency, connected (kept in the rollups); callDuration would need every call of the window read",
      },
    ]);
  });

  it.each([
    ["a filter that is not JSON", "filter=%7Bnope"],
    ["an invalid filter", filter({ intentCode: { $regex: "30" } })],
    ["an unknown parameter", "limit=5"],
    ["a window that ends before it starts", "since=2026-03-27&until=2026-03-26"],
    ["a window longer than 400 days", "since=2024-01-01&until=2026-01-01"],
    ["an unknown time zone", "timezone=Mars/Olympus"],
  ])("%s", async (_, query) => {
    const res = await tasks(query);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "validation_failed" } });
  });
});
