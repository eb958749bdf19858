import { describe, expect, it } from "vitest";
import { push, record, rows } from "../support/worker";

describe("push authentication", () => {
  it.each([
    ["a wrong token", "wrong-token"],
    ["a token differing in the last character", "test-push-tokem"],
    ["a prefix of the token", "test-push"],
  ])("answers 401 for %s and stores nothing", async (_, token) => {
    const r = record();
    const before = await rows<{ n: number }>("SELECT count(*) AS n FROM pushes");
    const res = await push({ array: [r] }, { token });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Unknown push token" } });
    expect(await rows("SELECT 1 FROM calls WHERE voice_id = ?", r.voiceId)).toHaveLength(0);
    expect(await rows<{ n: number }>("SELECT count(*) AS n FROM pushes")).toEqual(before);
  });

  it("has no route without a token", async () => {
    const res = await push({ array: [record()] }, { token: "" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
