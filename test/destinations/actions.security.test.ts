import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, BASE, createDestination, refusedAdminAuth } from "../support/worker";

afterEach(() => vi.restoreAllMocks());
afterEach(() => vi.unstubAllGlobals());

describe("destination actions authentication", () => {
  it.each(refusedAdminAuth)("answers 401 with %s and changes nothing", async (_, authorization) => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url } });
    const headers: Record<string, string> = authorization ? { authorization } : {};
    for (const action of ["test", "replay", "rotate-secret"]) {
      const res = await exports.default.fetch(`${BASE}/api/v1/destinations/${dest.id}/${action}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ since: "2000-01-01", until: "2100-01-01" }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
    const [row] = (
      await env.DB.prepare("SELECT config FROM destinations WHERE id = ?").bind(dest.id).all<{ config: string }>()
    ).results;
    expect(JSON.parse(row?.config ?? "{}").secret).toBe(dest.secret);
    expect(receiver.to(url)).toEqual([]);
    expect(await env.DB.prepare("SELECT 1 FROM deliveries WHERE destination_id = ?").bind(dest.id).all()).toMatchObject(
      {
        results: [],
      },
    );
  });

  it("returns a rotated secret once and never logs or shows it", async () => {
    const logged: unknown[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args) => logged.push(...args));
    }
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const { secret } = await (await admin(`/destinations/${dest.id}/rotate-secret`, { method: "POST" })).json<{
      secret: string;
    }>();
    const test = await (await admin(`/destinations/${dest.id}/test`, { method: "POST" })).text();
    const view = await (await admin(`/destinations/${dest.id}`)).text();
    const all = await (await admin("/destinations")).text();
    for (const text of [test, view, all, JSON.stringify(logged)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(dest.secret);
    }
  });
});
