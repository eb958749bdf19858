import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../package.json";
import { BASE } from "./support/worker";

describe("GET /health", () => {
  it("reports the version and that D1 answers", async () => {
    const res = await exports.default.fetch(`${BASE}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      version: pkg.version,
      d1: true,
      storage: {
        bytes: expect.toBeOneOf([null, expect.any(Number)]),
        limitBytes: 10_000_000_000,
        percent: expect.toBeOneOf([null, expect.any(Number)]),
        measuredAt: expect.toBeOneOf([null, expect.any(String)]),
      },
      warnings: expect.any(Array),
    });
  });
});

describe("GET /health warnings", () => {
  it("warns of admin and push tokens shorter than 32 characters (the test Worker's are 16)", async () => {
    const { warnings } = await (await exports.default.fetch(`${BASE}/health`)).json<{ warnings: string[] }>();
    expect(warnings).toEqual([
      expect.stringMatching(/^ADMIN_TOKEN is 16 characters long: use at least 32/),
      expect.stringMatching(/^PUSH_TOKEN is 15 characters long: use at least 32/),
    ]);
    expect(warnings.join(" ")).not.toContain("test-admin-token");
  });
});

describe("unknown routes", () => {
  it("answer a JSON 404 in the one error shape", async () => {
    const res = await exports.default.fetch(`${BASE}/nope`, { method: "PUT" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No route for PUT /nope" } });
  });
});
