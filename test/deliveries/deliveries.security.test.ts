import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, BASE, createDestination, push, record, refusedAdminAuth, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

describe("deliveries API authentication", () => {
  const routes = [
    ["GET", "/api/v1/deliveries"],
    ["GET", "/api/v1/deliveries/dlv_x"],
    ["POST", "/api/v1/deliveries/dlv_x/retry"],
  ];
  it.each(refusedAdminAuth)("answers 401 with %s", async (_, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    for (const [method, path] of routes) {
      const res = await exports.default.fetch(`${BASE}${path}`, { method, headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
  });

  it("never shows the destination's URL or signing secret", async () => {
    installReceiver();
    const url = `${hookUrl()}?token=s3cr3t-in-url`;
    const dest = await createDestination({ type: "webhook", config: { url } });
    const r = record();
    await push({ array: [r] });
    const delivery = await waitForStatus(dest.id, r.voiceId, "delivered");
    for (const path of [`/deliveries?destinationId=${dest.id}`, `/deliveries/${delivery.id}`]) {
      const text = await (await admin(path)).text();
      expect(text).toContain(delivery.id);
      expect(text).not.toContain("s3cr3t-in-url");
      expect(text).not.toContain(dest.secret);
    }
  });
});
