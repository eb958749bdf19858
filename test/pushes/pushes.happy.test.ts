import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { adminApp } from "../../src/http/admin/app";
import { hookUrl, installReceiver } from "../support/receiver";
import {
  admin,
  allPages,
  archiveKeyOf,
  createDestination,
  dropArchivedBody,
  push,
  record,
  rows,
  waitForStatus,
} from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

interface PushLog {
  id: string;
  sourceId: string;
  receivedAt: string;
  status: string;
  contentType: string | null;
  bytes: number;
  records: number;
  accepted: number;
  rejectedCount: number;
  error: string | null;
}
type PushDetail = PushLog & {
  rejected: { index: number; voiceId: string | null; error: string }[];
  body: string | null;
};
interface Reprocessed {
  reprocessedFrom: string;
  pushId: string;
  accepted: number;
  rejected: PushDetail["rejected"];
}

async function createSource() {
  const res = await admin("/sources", { body: { name: `src-${crypto.randomUUID()}` } });
  return res.json<{ id: string; token: string }>();
}

async function pushId(res: Response) {
  expect(res.status).toBe(200);
  return (await res.json<{ pushId: string }>()).pushId;
}

async function detail(id: string) {
  const res = await admin(`/pushes/${id}`);
  expect(res.status).toBe(200);
  return res.json<PushDetail>();
}

async function reprocess(id: string) {
  return admin(`/pushes/${id}/reprocess`, { method: "POST" });
}

/** A push as an older reader stored it: its body kept, one of its records rejected. */
async function insertStoredPush(body: string, rejected: PushDetail["rejected"]) {
  const id = `psh_old${crypto.randomUUID().slice(0, 8)}`;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO pushes (id, source_id, received_at, status, content_type, bytes, records, accepted, rejected_count, rejected) VALUES (?, 'src_default', ?, 'stored', 'application/json', ?, ?, ?, ?, ?)",
    ).bind(id, Date.now() - 3600_000, body.length, 2, 2 - rejected.length, rejected.length, JSON.stringify(rejected)),
    env.DB.prepare("INSERT INTO push_bodies (push_id, seq, chunk) VALUES (?, 0, ?)").bind(id, body),
  ]);
  return id;
}

describe("GET /pushes", () => {
  it("lists a source's pushes newest first, without bodies, and pages through them", async () => {
    const source = await createSource();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await pushId(await push({ array: [record()] }, { token: source.token })));
    const bad = await push("not json", { token: source.token });
    expect(bad.status).toBe(400);

    const all = await (await admin(`/pushes?sourceId=${source.id}`)).json<{ data: PushLog[]; nextCursor: null }>();
    expect(all.nextCursor).toBeNull();
    expect(all.data).toHaveLength(5);
    expect(all.data.slice(1).map((p) => p.id)).toEqual([...ids].reverse());
    expect(all.data[0]).toEqual({
      id: expect.stringMatching(/^psh_/),
      sourceId: source.id,
      receivedAt: expect.any(String),
      status: "invalid",
      contentType: "application/json;charset=UTF-8",
      bytes: 8,
      records: 0,
      accepted: 0,
      rejectedCount: 0,
      error: expect.stringMatching(/^Body is not valid JSON/),
      reprocessedFrom: null,
    });
    expect(all.data[1]).toMatchObject({ status: "stored", records: 1, accepted: 1, rejectedCount: 0, error: null });
    for (const p of all.data) expect(Object.keys(p)).not.toContain("body");
    const times = all.data.map((p) => Date.parse(p.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const pages = await allPages<PushLog>(`/pushes?sourceId=${source.id}&limit=2`);
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.data)).toEqual(all.data);

    const invalid = await (await admin(`/pushes?sourceId=${source.id}&status=invalid`)).json<{ data: PushLog[] }>();
    expect(invalid.data.map((p) => p.id)).toEqual([all.data[0]?.id]);

    const second = Date.parse(all.data[3]?.receivedAt ?? "");
    const window = await (
      await admin(`/pushes?sourceId=${source.id}&since=${second}&until=${new Date(second + 1).toISOString()}`)
    ).json<{ data: PushLog[] }>();
    expect(window.data.map((p) => p.id)).toContain(ids[1]);
    expect(window.data.every((p) => Date.parse(p.receivedAt) === second)).toBe(true);
  });

  it("pages through pushes received in the same millisecond without a gap or a repeat", async () => {
    const source = await createSource();
    const at = Date.now() - 86_400_000;
    const ids = Array.from({ length: 7 }, (_, i) => `psh_same${i}${crypto.randomUUID().slice(0, 6)}`);
    await env.DB.batch(
      ids.map((id) =>
        env.DB.prepare(
          "INSERT INTO pushes (id, source_id, received_at, status, bytes) VALUES (?, ?, ?, 'stored', 0)",
        ).bind(id, source.id, at),
      ),
    );
    const pages = await allPages<PushLog>(`/pushes?sourceId=${source.id}&limit=3`);
    expect(pages.flatMap((p) => p.data.map((d) => d.id))).toEqual([...ids].sort().reverse());
  });
});

describe("GET /pushes/:id", () => {
  it("answers the body exactly as received, read back from its gzip archive, and the rejected records", async () => {
    const big = [0, 1, 2].map((i) => record({ transcript: `${i}${"é".repeat(100_000)}` }));
    const rejectedRecord = { ...record(), answerTime: "yesterday" };
    const text = JSON.stringify({ array: [big[0], rejectedRecord, big[1], big[2]] }, null, 2);
    expect(text.length).toBeGreaterThan(250_000);
    const id = await pushId(await push(text));
    const key = await archiveKeyOf(id);
    expect(key).toBe(`raw/${new Date().toISOString().slice(0, 10)}/${id}.json.gz`);
    const object = await env.ARCHIVE.head(key ?? "");
    expect(object?.size).toBeLessThan(text.length / 10);
    expect(object?.customMetadata).toMatchObject({ pushId: id, sourceId: "src_default" });

    const found = await detail(id);
    expect(found.body).toBe(text);
    expect(found).toMatchObject({
      id,
      sourceId: "src_default",
      status: "stored",
      bytes: new TextEncoder().encode(text).byteLength,
      records: 4,
      accepted: 3,
      rejectedCount: 1,
      rejected: [{ index: 1, voiceId: rejectedRecord.voiceId, error: expect.stringMatching(/^answerTime: /) }],
    });
  });

  it("answers a null body once it is no longer stored, and an empty one for an empty push", async () => {
    const id = await pushId(await push({ array: [record()] }));
    await dropArchivedBody(id);
    expect((await detail(id)).body).toBeNull();

    const empty = await push("");
    expect(empty.status).toBe(400);
    const [log] = await rows<{ id: string }>("SELECT id FROM pushes WHERE bytes = 0 AND status = 'invalid' LIMIT 1");
    expect(await detail(log?.id ?? "")).toMatchObject({ status: "invalid", bytes: 0, body: "" });
  });
});

describe("POST /pushes/:id/reprocess", () => {
  it("stores records an older reader rejected, and forwards them once", async () => {
    const receiver = installReceiver();
    const taskId = Math.floor(Math.random() * 1e12);
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url }, filter: { taskId } });
    const kept = record({ taskId });
    const lifted = record({ taskId, answerTime: "2026-03-26 15:22:28" });
    const body = JSON.stringify({ array: [kept, lifted] });
    const rejected = [
      { index: 1, voiceId: lifted.voiceId, error: 'answerTime: expected a time, got "2026-03-26 1...' },
    ];
    const original = await insertStoredPush(body, rejected);

    const res = await reprocess(original);
    expect(res.status).toBe(200);
    const result = await res.json<Reprocessed>();
    expect(result).toEqual({
      reprocessedFrom: original,
      pushId: expect.stringMatching(/^psh_/),
      accepted: 2,
      rejected: [],
    });
    expect(result.pushId).not.toBe(original);

    const stored = await rows<{ voice_id: string; push_id: string; answer_time: number }>(
      "SELECT voice_id, push_id, answer_time FROM calls WHERE task_id = ? ORDER BY id",
      taskId,
    );
    expect(stored).toEqual([
      { voice_id: kept.voiceId, push_id: result.pushId, answer_time: kept.answerTime },
      { voice_id: lifted.voiceId, push_id: result.pushId, answer_time: 1774509748000 },
    ]);
    await waitForStatus(dest.id, kept.voiceId, "delivered");
    await waitForStatus(dest.id, lifted.voiceId, "delivered");

    expect(await detail(result.pushId)).toMatchObject({
      sourceId: "src_default",
      reprocessedFrom: original,
      status: "stored",
      contentType: "application/json",
      bytes: body.length,
      records: 2,
      accepted: 2,
      rejectedCount: 0,
      rejected: [],
      body,
    });
    expect(await detail(original)).toMatchObject({ accepted: 1, rejectedCount: 1, rejected });

    const again = await (await reprocess(original)).json<Reprocessed>();
    expect(again).toMatchObject({ reprocessedFrom: original, accepted: 2, rejected: [] });
    const marker = record({ taskId });
    await push({ array: [marker] });
    await waitForStatus(dest.id, marker.voiceId, "delivered");
    expect(receiver.to(url)).toHaveLength(3);
  });

  it("gives a push received through the Worker the same result again, without duplicating its calls", async () => {
    const source = await createSource();
    const good = record();
    const bad = { ...record(), answerTime: "yesterday" };
    const first = await push({ array: [good, bad] }, { token: source.token });
    const sent = await first.json<{ pushId: string; accepted: number; rejected: Reprocessed["rejected"] }>();

    const res = await reprocess(sent.pushId);
    expect(res.status).toBe(200);
    const result = await res.json<Reprocessed>();
    expect(result).toEqual({
      reprocessedFrom: sent.pushId,
      pushId: expect.any(String),
      accepted: sent.accepted,
      rejected: sent.rejected,
    });
    expect(await rows("SELECT push_id FROM calls WHERE source_id = ?", source.id)).toEqual([
      { push_id: result.pushId },
    ]);
    expect((await detail(result.pushId)).sourceId).toBe(source.id);
  });

  it("documents the pushes routes", () => {
    const doc = adminApp.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining(["/pushes", "/pushes/{id}", "/pushes/{id}/reprocess"]),
    );
  });
});
