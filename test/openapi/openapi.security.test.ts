import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, BASE, PUSH_TOKEN } from "../support/worker";

describe("the API document and docs page", () => {
  it.each(["/openapi.json", "/docs"])(
    "%s is public, whatever Authorization says, and holds no secret",
    async (path) => {
      for (const headers of [{}, { authorization: "Bearer nope" }] as Record<string, string>[]) {
        const res = await exports.default.fetch(`${BASE}${path}`, { headers });
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(text).not.toContain(ADMIN_TOKEN);
        expect(text).not.toContain(PUSH_TOKEN);
      }
    },
  );

  it.each(["/openapi.json", "/docs"])("%s answers only GET", async (path) => {
    const res = await exports.default.fetch(`${BASE}${path}`, { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(await res.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });
});
