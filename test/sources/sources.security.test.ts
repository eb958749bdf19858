import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, BASE, push, record, refusedAdminAuth, rows } from "../support/worker";

afterEach(() => vi.restoreAllMocks());

const routes = [
  ["GET", "/api/v1/sources"],
  ["POST", "/api/v1/sources"],
  ["POST", "/api/v1/sources/src_x/rotate-token"],
  ["DELETE", "/api/v1/sources/src_x"],
] as const;

describe("sources API security", () => {
  it.each(refusedAdminAuth)("answers 401 with %s and changes nothing", async (_, authorization) => {
    const name = `nope-${crypto.randomUUID()}`;
    for (const [method, path] of routes) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        ...(authorization ? { authorization } : {}),
      };
      const body = method === "POST" ? JSON.stringify({ name }) : undefined;
      const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
    expect(await rows("SELECT id FROM sources WHERE name = ?", name)).toEqual([]);
  });

  it("does not accept a source's push token as the admin token", async () => {
    const { token } = await (await admin("/sources", { body: { name: `s-${crypto.randomUUID()}` } })).json<{
      token: string;
    }>();
    expect((await admin("/sources", { token })).status).toBe(401);
  });

  it("never logs a token it issues", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    const created = await (await admin("/sources", { body: { name: `s-${crypto.randomUUID()}` } })).json<{
      id: string;
      token: string;
    }>();
    await push({ array: [record()] }, { token: created.token });
    await push("not json", { token: created.token });
    const rotated = await (await admin(`/sources/${created.id}/rotate-token`, { method: "POST" })).json<{
      token: string;
    }>();
    await push({ array: [record()] }, { token: created.token });
    const logged = lines.join("\n");
    expect(logged).not.toContain(created.token);
    expect(logged).not.toContain(rotated.token);
  });

  it("answers 401 to a token that differs from a source's in one character", async () => {
    const { token } = await (await admin("/sources", { body: { name: `s-${crypto.randomUUID()}` } })).json<{
      token: string;
    }>();
    const near = `${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`;
    expect((await push({ array: [record()] }, { token: near })).status).toBe(401);
    expect((await push({ array: [record()] }, { token: token.toUpperCase() })).status).toBe(401);
  });
});
