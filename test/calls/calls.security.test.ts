import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, push, record, refusedAdminAuth } from "../support/worker";

describe("calls API authentication", () => {
  it.each(refusedAdminAuth)("answers 401 with %s and shows no call", async (_, authorization) => {
    const r = record();
    expect((await push({ array: [r] })).status).toBe(200);
    const headers: Record<string, string> = authorization ? { authorization } : {};
    for (const path of [
      "/api/v1/calls",
      `/api/v1/calls?taskId=${r.taskId}`,
      `/api/v1/calls/src_default/${r.voiceId}`,
    ]) {
      const res = await exports.default.fetch(`${BASE}${path}`, { headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
      expect(text).not.toContain(r.voiceId);
    }
  });
});
