import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, push, record, refusedAdminAuth, rows } from "../support/worker";

describe("pushes API authentication", () => {
  it.each(refusedAdminAuth)("answers 401 with %s, shows no body and reprocesses nothing", async (_, authorization) => {
    const r = record();
    const { pushId } = await (await push({ array: [r] })).json<{ pushId: string }>();
    const before = await rows("SELECT id FROM pushes");
    const headers: Record<string, string> = authorization ? { authorization } : {};
    for (const [method, path] of [
      ["GET", "/api/v1/pushes"],
      ["GET", `/api/v1/pushes/${pushId}`],
      ["POST", `/api/v1/pushes/${pushId}/reprocess`],
    ] as const) {
      const res = await exports.default.fetch(`${BASE}${path}`, { method, headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
      expect(text).not.toContain(r.voiceId);
    }
    expect(await rows("SELECT id FROM pushes")).toHaveLength(before.length);
  });
});
