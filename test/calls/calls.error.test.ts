import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/lib/cursor";
import { admin } from "../support/worker";

async function errorOf(path: string) {
  const res = await admin(path);
  return {
    status: res.status,
    body: await res.json<{ error: { code: string; message: string; details?: unknown } }>(),
  };
}

describe("GET /calls validation", () => {
  it.each([
    ["connected=yes", "connected"],
    ["taskId=abc", "taskId"],
    ["taskId=-1", "taskId"],
    ["intentCode=", "intentCode"],
    ["since=yesterday", "since"],
    ["since=2026-02-30", "since"],
    ["until=2026-03-26T25:00", "until"],
    ["until=2026-13-01", "until"],
    ["timezone=Mars/Olympus", "timezone"],
    ["timeField=answerTime", "timeField"],
    ["callee=123", "callee"],
    ["callee=%2B86-abc-1234", "callee"],
    ["callee=8613800000003&caller=1", "caller"],
    ["calee=8613800000003", "calee"],
    ["since=2026-03-27&until=2026-03-26", "until"],
    ["limit=0", "limit"],
    ["limit=201", "limit"],
    ["limit=ten", "limit"],
    ["cursor=not-a-cursor", "cursor"],
    [`cursor=${encodeCursor({ id: "7" })}`, "cursor"],
    [`cursor=${encodeCursor({ receivedAt: 1, id: "psh_x" })}`, "cursor"],
    ["filter=not%20json", "filter"],
    [`filter=${encodeURIComponent('{"intentCod":"302"}')}`, "filter.intentCod"],
    [`filter=${encodeURIComponent('{"callDuration":{"$gte":"10"}}')}`, "filter.callDuration.$gte"],
    [`filter=${encodeURIComponent("[]")}`, "filter"],
  ])("rejects %s with a 400 naming %s", async (query, path) => {
    const { status, body } = await errorOf(`/calls?${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe("GET /calls/:sourceId/:voiceId", () => {
  it("answers 404 for an unknown call", async () => {
    const { status, body } = await errorOf("/calls/src_default/nope");
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: "not_found", message: "No call nope from source src_default" } });
  });

  it("answers 404 for a known voiceId under another source", async () => {
    const { status } = await errorOf("/calls/src_other/260326152224160100152");
    expect(status).toBe(404);
  });
});
