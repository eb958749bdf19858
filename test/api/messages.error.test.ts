import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hookUrl } from "../support/receiver";
import { ADMIN_TOKEN, admin, BASE, push, record } from "../support/worker";

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function errorOf(res: Response) {
  const { error } = await res.json<{ error: { code: string; message: string; details?: unknown } }>();
  return { status: res.status, ...error };
}

describe("validation messages in plain words", () => {
  it.each([
    ["/calls?limit=500", "limit", "must be at most 200"],
    ["/calls?limit=0", "limit", "must be at least 1"],
    [
      "/deliveries?status=failed,faild",
      "status",
      'must be one of "pending", "delivered", "retrying", "failed", "paused" (several: comma-separated); "faild" is not',
    ],
    ["/calls?sourceId=", "sourceId", "must not be empty"],
  ])("GET %s: %s %s", async (path, field, message) => {
    const error = await errorOf(await admin(path));
    expect(error).toMatchObject({
      status: 400,
      code: "validation_failed",
      message: `Invalid request: ${field}: ${message}`,
      details: [{ path: field, message }],
    });
  });

  it("says a missing body field is required", async () => {
    const error = await errorOf(
      await admin("/destinations", { body: { type: "webhook", config: { url: hookUrl() } } }),
    );
    expect(error).toMatchObject({ status: 400, message: "Invalid request: name: required" });
  });

  it("names where a filter query parameter stops being JSON", async () => {
    const filter = encodeURIComponent('{"connected":true,}');
    const error = await errorOf(await admin(`/calls?filter=${filter}`));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Invalid request: filter: is not JSON: .*position 18/);
  });

  it("says a record without voiceId needs one, once", async () => {
    const { voiceId: _, ...noVoiceId } = record();
    const res = await push({ array: [noVoiceId] });
    expect(res.status).toBe(200);
    const body = await res.json<{ rejected: { error: string }[] }>();
    expect(body.rejected[0]?.error).toBe("voiceId: missing: every record needs its voiceId (the platform's call id)");
  });

  it("lets replay's until default to now", async () => {
    const created = await admin("/destinations", {
      body: { name: "replay", type: "webhook", config: { url: hookUrl() }, filter: { taskId: 1 }, enabled: false },
    });
    const { id } = await created.json<{ id: string }>();
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const res = await admin(`/destinations/${id}/replay`, { body: { since } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ complete: true });
    const future = await admin(`/destinations/${id}/replay`, { body: { since: "2999-01-01" } });
    expect(await errorOf(future)).toMatchObject({
      status: 400,
      message: "Invalid request: until: must be after since (2999-01-01T00:00:00.000Z); until is now, when not given",
    });
  });
});

describe("content type and method", () => {
  it("answers 415 naming application/json when a JSON body comes without it", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/sources`, {
      method: "POST",
      headers: { ...auth, "content-type": "text/plain" },
      body: '{"name":"x"}',
    });
    expect(await errorOf(res)).toEqual({
      status: 415,
      code: "unsupported_media_type",
      message: "Send the body as JSON, with the header Content-Type: application/json",
    });
  });

  it.each([
    ["PUT", "/api/v1/destinations/dst_x", "DELETE, GET, HEAD, PATCH"],
    ["DELETE", "/api/v1/calls", "GET, HEAD"],
    ["GET", "/api/v1/pushes/psh_x/reprocess", "POST"],
    ["GET", "/push/some-token", "POST"],
  ])("answers 405 with Allow for %s %s", async (method, path, allow) => {
    const res = await exports.default.fetch(`${BASE}${path}`, { method, headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(await errorOf(res)).toEqual({
      status: 405,
      code: "method_not_allowed",
      message: `${method} is not allowed on ${path}; use ${allow}`,
    });
  });

  it("still answers 404 for a path nothing serves", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/nothing-here`, { method: "PUT", headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get("allow")).toBeNull();
  });
});
