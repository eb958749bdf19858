import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, refusedAdminAuth } from "../support/worker";

describe("stats API authentication", () => {
  it.each(
    ["/stats", "/stats/tasks"].flatMap((path) => refusedAdminAuth.map(([what, auth]) => [path, what, auth] as const)),
  )("%s answers 401 with %s", async (path, _, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const res = await exports.default.fetch(`${BASE}/api/v1${path}`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });
});
