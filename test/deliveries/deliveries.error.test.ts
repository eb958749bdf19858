import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, push, record, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

type ErrorBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

const garbageCursor = btoa(JSON.stringify({ createdAt: "soon", id: 1 })).replace(/=+$/, "");

describe("GET /deliveries validation", () => {
  it.each([
    ["status=lost", "status"],
    ["limit=0", "limit"],
    ["limit=201", "limit"],
    ["limit=ten", "limit"],
    ["since=yesterday", "since"],
    ["until=2026-13-40T00:00:00Z", "until"],
    ["since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", "until"],
    ["cursor=%%%", "cursor"],
    ["cursor=bm90IGpzb24", "cursor"],
    [`cursor=${garbageCursor}`, "cursor"],
  ])("answers 400 for ?%s, naming %s", async (query, path) => {
    const res = await admin(`/deliveries?${query}`);
    expect(res.status).toBe(400);
    const body = await res.json<ErrorBody>();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe("unknown deliveries", () => {
  it.each([
    ["GET", "/deliveries/dlv_missing"],
    ["POST", "/deliveries/dlv_missing/retry"],
  ])("%s %s answers 404", async (method, path) => {
    const res = await admin(path, { method });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No delivery dlv_missing" } });
  });
});

describe("POST /deliveries/{id}/retry conflicts", () => {
  async function delivered() {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const r = record();
    await push({ array: [r] });
    const delivery = await waitForStatus(dest.id, r.voiceId, "delivered");
    return { dest, r, delivery };
  }

  async function retryConflict(id: string, message: string) {
    const res = await admin(`/deliveries/${id}/retry`, { method: "POST" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: expect.stringContaining(message) } });
  }

  it("refuses a delivery that is not failed, paused or retrying", async () => {
    const { delivery } = await delivered();
    await retryConflict(delivery.id, "is delivered");
    await env.DB.prepare("UPDATE deliveries SET status = 'pending' WHERE id = ?").bind(delivery.id).run();
    await retryConflict(delivery.id, "is pending");
  });

  it("refuses a delivery whose destination was deleted", async () => {
    const { dest, delivery } = await delivered();
    await env.DB.prepare("UPDATE deliveries SET status = 'failed' WHERE id = ?").bind(delivery.id).run();
    expect((await admin(`/destinations/${dest.id}`, { method: "DELETE" })).status).toBe(204);
    await retryConflict(delivery.id, "was deleted");
  });

  it("refuses a delivery whose call is no longer stored", async () => {
    const { r, delivery } = await delivered();
    await env.DB.batch([
      env.DB.prepare("UPDATE deliveries SET status = 'failed' WHERE id = ?").bind(delivery.id),
      env.DB.prepare("DELETE FROM calls WHERE voice_id = ?").bind(r.voiceId),
    ]);
    await retryConflict(delivery.id, "no longer stored");
    const [row] = (await env.DB.prepare("SELECT status, attempts FROM deliveries WHERE id = ?").bind(delivery.id).all())
      .results;
    expect(row).toEqual({ status: "failed", attempts: 1 });
  });
});
