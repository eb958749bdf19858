import { describe, expect, it } from "vitest";
import { page, signIn } from "./kit";

describe("live refreshes and the tail need a session", () => {
  it("answers a live request without a session 401, not the sign-in page, and sends nothing of the page", async () => {
    for (const path of ["/", "/deliveries", "/tail", "/destinations/dst_nope"]) {
      const res = await page(path, { headers: { "x-live": "1" } });
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).toBe("Sign in first");
    }
    // A page opened without a session still goes to sign-in, and comes back after it.
    const res = await page("/tail");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?next=%2Ftail");
  });

  it("keeps the strict CSP on live answers: scripts only from the Worker, none inline", async () => {
    const cookie = await signIn();
    for (const headers of [{}, { "x-live": "1" }] as Record<string, string>[]) {
      const res = await page("/tail", { cookie, headers });
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)/);
    }
  });
});
