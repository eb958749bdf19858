import { describe, expect, it } from "vitest";
import { admin } from "../support/worker";

async function create(body: Record<string, unknown>) {
  const res = await admin("/destinations", { body: { name: "x", type: "webhook", ...body } });
  return {
    status: res.status,
    body: await res.json<{ error: { code: string; message: string; details?: unknown } }>(),
  };
}

describe("destination validation", () => {
  it.each([
    [{ config: { url: "ftp://example.com/x" } }, "config.url"],
    [{ config: { url: "http://example.com/x" } }, "config.url"],
    [{ config: { url: "https://user:pass@example.com/x" } }, "config.url"],
    [{ config: { url: "not a url" } }, "config.url"],
    [{ config: {} }, "config.url"],
    [{ type: "slack", config: { url: "https://example.com/services/x" } }, "config.url"],
    [{ type: "pager", config: { url: "https://example.com" } }, "type"],
    [{ name: "", config: { url: "https://example.com" } }, "name"],
    [{ config: { url: "https://example.com" }, filter: { intentCod: "302" } }, "filter.intentCod"],
    [{ config: { url: "https://example.com" }, filter: { callDuration: { $gte: "10" } } }, "filter.callDuration.$gte"],
    [{ config: { url: "https://example.com" }, filter: { connected: { $regex: "x" } } }, "filter.connected.$regex"],
    [{ config: { url: "https://example.com" }, options: { timezone: "Mars/Olympus" } }, "options.timezone"],
    [{ config: { url: "https://example.com" }, sourceIds: ["src_nope"] }, "sourceIds[0]"],
  ])("rejects %j with a 400 naming %s", async (body, path) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await admin("/destinations", { method: "POST" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it("answers 404 in the one error shape for an unknown id", async () => {
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { name: "y" }],
      ["DELETE", undefined],
    ] as const) {
      const res = await admin("/destinations/dst_missing", { method, body });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "not_found", message: "No destination dst_missing" } });
    }
  });

  it("refuses to change a destination's type", async () => {
    const { body } = await create({ config: { url: "https://example.com" } });
    const id = (body as unknown as { id: string }).id;
    const res = await admin(`/destinations/${id}`, { method: "PATCH", body: { type: "slack" } });
    expect(res.status).toBe(400);
  });
});
