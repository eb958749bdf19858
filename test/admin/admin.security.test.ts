import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, BASE } from "../support/worker";

describe("admin API authentication", () => {
  it.each([
    ["no Authorization header", undefined],
    ["a wrong token", "Bearer nope"],
    ["the token without Bearer", "test-admin-token"],
    ["a token prefix", "Bearer test-admin"],
    ["the push token", "Bearer test-push-token"],
  ])("answers 401 with %s", async (_, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    for (const path of ["/api/v1/destinations", "/api/v1/destinations/dst_x", "/api/v1/nothing-here"]) {
      const res = await exports.default.fetch(`${BASE}${path}`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
  });

  it("accepts the admin token", async () => {
    expect((await admin("/destinations")).status).toBe(200);
  });

  it("never logs or returns a secret in an error", async () => {
    const res = await admin("/destinations", {
      body: { name: "x", type: "webhook", config: { url: "http://10.0.0.1/hook?token=t0p" } },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain("t0p");
  });
});
