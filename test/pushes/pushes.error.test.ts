import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/lib/cursor";
import { admin, archivedBody, dropArchivedBody, push, record, rows } from "../support/worker";

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

async function pushIdOf(res: Response) {
  return (await res.json<{ pushId?: string }>()).pushId;
}

describe("pushes API errors", () => {
  it.each([
    ["status=lost", "status"],
    ["since=soon", "since"],
    ["until=1e3", "until"],
    ["since=2026-03-27T00:00:00Z&until=2026-03-26T00:00:00Z", "until"],
    ["limit=-1", "limit"],
    ["cursor=abc", "cursor"],
    [`cursor=${encodeCursor({ id: 5 })}`, "cursor"],
  ])("rejects GET /pushes?%s with a 400 naming %s", async (query, path) => {
    const res = await admin(`/pushes?${query}`);
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorBody>();
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it.each([
    ["GET", "/pushes/psh_missing"],
    ["POST", "/pushes/psh_missing/reprocess"],
  ])("answers 404 to %s %s", async (method, path) => {
    const res = await admin(path, { method });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No push psh_missing" } });
  });

  it("answers 409 to reprocessing a push whose body is no longer stored", async () => {
    const res = await push({ array: [record()] });
    const id = await pushIdOf(res);
    await dropArchivedBody(id);
    const before = await rows("SELECT id FROM pushes");
    const again = await admin(`/pushes/${id}/reprocess`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: { code: "conflict", message: `The body of push ${id} is no longer stored` },
    });
    expect(await rows("SELECT id FROM pushes")).toHaveLength(before.length);
  });

  it("answers 409 to reprocessing a push that was too large to store", async () => {
    const id = `psh_big${crypto.randomUUID().slice(0, 8)}`;
    await env.DB.prepare(
      "INSERT INTO pushes (id, source_id, received_at, status, bytes, error) VALUES (?, 'src_default', ?, 'too_large', 20000000, 'Body is larger than 10485760 bytes')",
    )
      .bind(id, Date.now())
      .run();
    expect(await (await admin(`/pushes/${id}`)).json()).toMatchObject({ status: "too_large", body: null });
    const res = await admin(`/pushes/${id}/reprocess`, { method: "POST" });
    expect(res.status).toBe(409);
    expect((await res.json<ErrorBody>()).error.message).toMatch(/too large/);
  });

  it("answers 409 to reprocessing a body that is still not a push, and logs the attempt", async () => {
    const res = await push('{"records": []}');
    expect(res.status).toBe(400);
    const [original] = await rows<{ id: string }>(
      "SELECT id FROM pushes WHERE status = 'invalid' ORDER BY received_at DESC LIMIT 1",
    );
    const again = await admin(`/pushes/${original?.id}/reprocess`, { method: "POST" });
    expect(again.status).toBe(409);
    expect((await again.json<ErrorBody>()).error).toEqual({
      code: "conflict",
      message: `Push ${original?.id} is still not readable: Body must be a JSON object with an "array" of call records`,
    });
    const [logged] = await rows<{ id: string }>(
      "SELECT id FROM pushes WHERE status = 'invalid' AND id != ? ORDER BY received_at DESC LIMIT 1",
      original?.id,
    );
    expect(await archivedBody(logged?.id)).toBe('{"records": []}');
  });
});
