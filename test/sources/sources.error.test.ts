import { describe, expect, it } from "vitest";
import { admin } from "../support/worker";

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

describe("sources API errors", () => {
  it.each([
    [{}, "name"],
    [{ name: "" }, "name"],
    [{ name: "   " }, "name"],
    [{ name: 7 }, "name"],
    [{ name: "x".repeat(101) }, "name"],
  ])("rejects %j with a 400 naming %s", async (body, path) => {
    const res = await admin("/sources", { body });
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorBody>();
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await admin("/sources", { method: "POST" });
    expect(res.status).toBe(400);
  });

  it("answers 409 for a name in use, and keeps the first source's token", async () => {
    const name = `dup-${crypto.randomUUID()}`;
    expect((await admin("/sources", { body: { name } })).status).toBe(201);
    const res = await admin("/sources", { body: { name } });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: `A source named "${name}" exists` } });
  });

  it("answers 409 for the built-in source's name", async () => {
    const res = await admin("/sources", { body: { name: "default" } });
    expect(res.status).toBe(409);
  });

  it.each([
    ["POST", "/sources/src_default/rotate-token", /cannot be rotated.*PUSH_TOKEN.*wrangler secret put PUSH_TOKEN/],
    ["DELETE", "/sources/src_default", /cannot be deleted.*PUSH_TOKEN.*wrangler/],
  ])("refuses %s %s with a 400 pointing to wrangler", async (method, path, message) => {
    const res = await admin(path, { method });
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorBody>();
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(message);
  });

  it.each([
    ["POST", "/sources/src_missing/rotate-token"],
    ["DELETE", "/sources/src_missing"],
  ])("answers 404 to %s %s", async (method, path) => {
    const res = await admin(path, { method });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No source src_missing" } });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=500", "limit"],
    ["cursor=%%%", "cursor"],
    ["cursor=eyJpZCI6MX0", "cursor"],
  ])("rejects GET /sources?%s with a 400 naming %s", async (query, path) => {
    const res = await admin(`/sources?${query}`);
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorBody>();
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});
