import { describe, expect, it } from "vitest";
import { adminApp } from "../../src/http/admin/app";
import { sha256Hex } from "../../src/lib/crypto";
import { admin, allPages, BASE, push, record, rows } from "../support/worker";

interface Created {
  id: string;
  name: string;
  token: string;
  pushUrl: string;
  createdAt: string;
}

interface Listed {
  id: string;
  name: string;
  builtIn: boolean;
  createdAt: string | null;
  lastPushAt: string | null;
  pushes: number;
  calls: number;
}

async function createSource(name = `src-${crypto.randomUUID()}`) {
  const res = await admin("/sources", { body: { name } });
  expect(res.status).toBe(201);
  return res.json<Created>();
}

async function listed(id: string) {
  const pages = await allPages<Listed>("/sources?limit=200");
  return pages.flatMap((p) => p.data).find((s) => s.id === id);
}

describe("sources API", () => {
  it("lists the built-in default source from the start, then counts its pushes", async () => {
    expect(await rows("SELECT id FROM sources WHERE id = 'src_default'")).toEqual([]);
    const first = await (await admin("/sources")).json<{ data: Listed[] }>();
    expect(first.data[0]).toEqual({
      id: "src_default",
      name: "default",
      builtIn: true,
      createdAt: null,
      lastPushAt: null,
      pushes: 0,
      calls: 0,
    });

    expect((await push({ array: [record(), record()] })).status).toBe(200);
    const after = await listed("src_default");
    expect(after).toMatchObject({ builtIn: true, pushes: 1, calls: 2, createdAt: expect.any(String) });
    expect(after?.lastPushAt).toBe(after?.createdAt);
  });

  it("creates a source with a token and push URL shown once, storing only the token's hash", async () => {
    const created = await createSource(" Campaign A ");
    expect(created).toEqual({
      id: expect.stringMatching(/^src_/),
      name: "Campaign A",
      token: expect.stringMatching(/^[a-z2-7]{52}$/),
      pushUrl: `${BASE}/push/${created.token}`,
      createdAt: expect.any(String),
    });
    const [row] = await rows<Record<string, unknown>>("SELECT * FROM sources WHERE id = ?", created.id);
    expect(row?.token_hash).toBe(await sha256Hex(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(await listed(created.id)).toEqual({
      id: created.id,
      name: "Campaign A",
      builtIn: false,
      createdAt: created.createdAt,
      lastPushAt: null,
      pushes: 0,
      calls: 0,
    });
    expect(JSON.stringify(await (await admin("/sources?limit=200")).json())).not.toContain(created.token);
  });

  it("stores a source's pushes and calls under its id", async () => {
    const source = await createSource();
    const records = [record(), record(), record()];
    const res = await push({ array: records }, { token: source.token });
    expect(res.status).toBe(200);
    const { pushId } = await res.json<{ pushId: string }>();

    const calls = await (await admin(`/calls?sourceId=${source.id}`)).json<{ data: { voiceId: string }[] }>();
    expect(calls.data.map((c) => c.voiceId)).toEqual(records.map((r) => r.voiceId).reverse());
    const one = await admin(`/calls/${source.id}/${records[0]?.voiceId}`);
    expect(await one.json()).toMatchObject({ sourceId: source.id, pushId });
    expect((await admin(`/calls/src_default/${records[0]?.voiceId}`)).status).toBe(404);

    const [log] = await rows<{ received_at: number }>("SELECT received_at FROM pushes WHERE id = ?", pushId);
    expect(await listed(source.id)).toMatchObject({
      pushes: 1,
      calls: 3,
      lastPushAt: new Date(log?.received_at ?? 0).toISOString(),
    });
    expect((await push({ array: [record(), { nope: true }] }, { token: source.token })).status).toBe(200);
    expect(await listed(source.id)).toMatchObject({ pushes: 2, calls: 4 });
  });

  it("rotates a token: the old one stops working at once, the new one works", async () => {
    const source = await createSource();
    expect((await push({ array: [record()] }, { token: source.token })).status).toBe(200);

    const res = await admin(`/sources/${source.id}/rotate-token`, { method: "POST" });
    expect(res.status).toBe(200);
    const rotated = await res.json<Created>();
    expect(rotated).toEqual({
      id: source.id,
      name: source.name,
      token: expect.stringMatching(/^[a-z2-7]{52}$/),
      pushUrl: `${BASE}/push/${rotated.token}`,
      createdAt: source.createdAt,
    });
    expect(rotated.token).not.toBe(source.token);

    expect((await push({ array: [record()] }, { token: source.token })).status).toBe(401);
    const fresh = record();
    expect((await push({ array: [fresh] }, { token: rotated.token })).status).toBe(200);
    expect((await admin(`/calls/${source.id}/${fresh.voiceId}`)).status).toBe(200);
  });

  it("deletes a source: its token stops working, its pushes and calls stay", async () => {
    const source = await createSource();
    const r = record();
    expect((await push({ array: [r] }, { token: source.token })).status).toBe(200);

    expect((await admin(`/sources/${source.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await push({ array: [record()] }, { token: source.token })).status).toBe(401);
    expect(await listed(source.id)).toBeUndefined();
    expect((await admin(`/calls/${source.id}/${r.voiceId}`)).status).toBe(200);
    const log = await (await admin(`/pushes?sourceId=${source.id}`)).json<{ data: unknown[] }>();
    expect(log.data).toHaveLength(1);
    expect((await admin(`/sources/${source.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("frees a deleted source's name", async () => {
    const source = await createSource();
    expect((await admin(`/sources/${source.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await createSource(source.name)).id).not.toBe(source.id);
  });

  it.each([1, 2, 3])("pages through every source with limit %i, default first, then oldest first", async (limit) => {
    for (let i = 0; i < 4; i++) await createSource();
    const pages = await allPages<Listed>(`/sources?limit=${limit}`);
    expect(pages.every((p) => p.data.length <= limit)).toBe(true);
    const ids = pages.flatMap((p) => p.data.map((s) => s.id));
    const stored = await rows<{ id: string }>(
      "SELECT id FROM sources WHERE id != 'src_default' ORDER BY created_at, id",
    );
    expect(ids).toEqual(["src_default", ...stored.map((s) => s.id)]);
  });

  it("documents the sources routes", () => {
    const doc = adminApp.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining(["/sources", "/sources/{id}", "/sources/{id}/rotate-token"]),
    );
  });
});
