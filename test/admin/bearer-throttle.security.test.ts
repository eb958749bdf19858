import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, BASE } from "../support/worker";

const call = (ip: string, token: string) =>
  exports.default.fetch(`${BASE}/api/v1/destinations`, {
    headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": ip },
  });

describe("admin API: wrong tokens are throttled per address", () => {
  it("answers 429 past 30 wrong tokens in 15 minutes, however parallel, even to the right token", async () => {
    const ip = "198.51.100.7";
    const statuses = (await Promise.all(Array.from({ length: 40 }, (_, i) => call(ip, `wrong-${i}`)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const locked = await call(ip, ADMIN_TOKEN);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await locked.json()).toEqual({ error: { code: "too_many_requests", message: expect.any(String) } });
    expect((await call("198.51.100.8", ADMIN_TOKEN)).status).toBe(200);
  });

  it("does not count the right token", async () => {
    const ip = "198.51.100.9";
    for (let i = 0; i < 35; i++) expect((await call(ip, ADMIN_TOKEN)).status).toBe(200);
  });
});
