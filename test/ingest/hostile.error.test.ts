import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { MAX_FIELD_CHARS } from "../../src/model/calls/values";
import type { QueuedPush } from "../../src/pipeline/ingest/queue-ingest";
import { sweepQueuedPushes } from "../../src/pipeline/ingest/queued";
import { archiveKey } from "../../src/storage/archive";
import { runCron } from "../support/handlers";
import { D1_LOST, D1_TOO_BIG, downD1, failingBatches, pushWith, recordingQueue } from "../support/outage";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const DAY = 86_400_000;
const pushRow = async (pushId: string) =>
  (
    await rows<{ status: string; error: string | null; accepted: number; rejected_count: number }>(
      "SELECT status, error, accepted, rejected_count FROM pushes WHERE id = ?",
      pushId,
    )
  )[0];
const callsOf = (voiceId: string) => rows("SELECT voice_id FROM calls WHERE voice_id = ?", voiceId);

describe("a record with a field over the cap", () => {
  it("is rejected with its reason and the rest of the push is stored", async () => {
    const good = record();
    const huge = record({ calledInfo: "x".repeat(1_500_000) });
    const res = await pushWith({}, { array: [good, huge] });
    expect(res.status).toBe(200);
    const body = await res.json<{ pushId: string; accepted: number; rejected: unknown[] }>();
    expect(body).toMatchObject({
      accepted: 1,
      rejected: [
        {
          index: 1,
          voiceId: huge.voiceId,
          error: `calledInfo: is longer than ${MAX_FIELD_CHARS} characters (1500000)`,
        },
      ],
    });
    expect(await callsOf(good.voiceId)).toHaveLength(1);
    expect(await callsOf(huge.voiceId)).toEqual([]);
    expect(await pushRow(body.pushId)).toMatchObject({ status: "stored", accepted: 1, rejected_count: 1 });
  });
});

describe("a push with more records than MAX_PUSH_RECORDS", () => {
  it("is refused with a 413 that names the limit, and logged; one at the limit is stored", async () => {
    const limited = { MAX_PUSH_RECORDS: "3" } as Partial<Env>;
    const over = Array.from({ length: 4 }, () => record({}));
    const res = await pushWith(limited, { array: over });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        code: "payload_too_large",
        message: "Push has more than 3 records (MAX_PUSH_RECORDS); send them in smaller pushes",
        details: { maxRecords: 3 },
      },
    });
    expect(await callsOf(over[0]?.voiceId as string)).toEqual([]);
    const [logged] = await rows<{ status: string; error: string }>(
      "SELECT status, error FROM pushes WHERE error LIKE 'Push has more than 3 records%' ORDER BY received_at DESC LIMIT 1",
    );
    expect(logged?.status).toBe("too_large");

    const res2 = await pushWith(limited, { array: over.slice(0, 3) });
    expect(res2.status).toBe(200);
    expect(await callsOf(over[0]?.voiceId as string)).toHaveLength(1);
  });
});

describe("a push D1 refuses for good", () => {
  it("is set aside: answered 200, logged set_aside with why, its body kept, never queued, and told about", async () => {
    const receiver = installReceiver();
    const url = hookUrl("ops");
    const ops = await createDestination({ type: "webhook", config: { url }, events: ["pushes.set_aside"] });
    const r = record();
    const res = await pushWith({ DB: failingBatches(D1_TOO_BIG) }, { array: [r] });
    expect(res.status).toBe(200);
    const body = await res.json<{ pushId: string }>();
    expect(body).toEqual({
      ok: true,
      setAside: true,
      pushId: body.pushId,
      accepted: 0,
      rejected: [],
      error: D1_TOO_BIG,
    });
    expect(await callsOf(r.voiceId)).toEqual([]);
    expect(await env.ARCHIVE.head(`queued/${body.pushId}`)).toBeNull();
    expect(await env.ARCHIVE.head(`set_aside/${body.pushId}`)).not.toBeNull();

    const detail = await (await admin(`/pushes/${body.pushId}`)).json<{
      status: string;
      error: string;
      body: string;
    }>();
    expect(detail.status).toBe("set_aside");
    expect(detail.error).toContain("SQLITE_TOOBIG");
    expect(JSON.parse(detail.body)).toEqual({ array: [r] });

    const [event] = await rows<{ id: string; data: string }>(
      "SELECT id, data FROM events WHERE type = 'pushes.set_aside' AND data LIKE ?",
      `%${body.pushId}%`,
    );
    expect(JSON.parse(event?.data ?? "{}")).toEqual({
      sourceId: "src_default",
      pushId: body.pushId,
      count: 1,
      records: 1,
      reason: D1_TOO_BIG,
    });
    await waitForStatus(ops.id, event?.id as string, "delivered");
    expect(receiver.to(url)).toHaveLength(1);
    expect(JSON.parse(receiver.to(url)[0]?.body ?? "{}")).toMatchObject({ type: "pushes.set_aside" });
  });

  it("once reprocessed is resolved, and until then retention keeps its body and its log row", async () => {
    const r = record();
    const res = await pushWith({ DB: failingBatches(D1_TOO_BIG) }, { array: [r] });
    const { pushId } = await res.json<{ pushId: string }>();
    // Date the push, its body and its marker 400 days back: past RAW_RETENTION_DAYS and CALL_RETENTION_DAYS.
    const at = Date.now() - 400 * DAY;
    const [row] = await rows<{ archive_key: string }>("SELECT archive_key FROM pushes WHERE id = ?", pushId);
    const old = await env.ARCHIVE.get(row?.archive_key ?? "");
    const key = archiveKey(pushId, at);
    await env.ARCHIVE.put(key, (await old?.arrayBuffer()) ?? "", { customMetadata: old?.customMetadata });
    await env.ARCHIVE.delete(row?.archive_key ?? "");
    await env.ARCHIVE.put(`set_aside/${pushId}`, "", { customMetadata: { key } });
    await env.DB.prepare("UPDATE pushes SET received_at = ?, archive_key = ? WHERE id = ?").bind(at, key, pushId).run();

    await runCron();
    expect(await env.ARCHIVE.head(key)).not.toBeNull();
    expect(await pushRow(pushId)).toMatchObject({ status: "set_aside" });

    const again = await admin(`/pushes/${pushId}/reprocess`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ reprocessedFrom: pushId, accepted: 1, status: "stored" });
    expect(await callsOf(r.voiceId)).toHaveLength(1);
    expect(await pushRow(pushId)).toMatchObject({ status: "resolved" });
    expect(await env.ARCHIVE.head(`set_aside/${pushId}`)).toBeNull();

    await runCron();
    expect(await env.ARCHIVE.head(key)).toBeNull();
    expect(await pushRow(pushId)).toBeUndefined();
  });

  it("set aside from the ingest queue: its message is acked, not retried", async () => {
    const { sent, queue } = recordingQueue();
    const r = record();
    const res = await pushWith({ DB: downD1, INGEST_QUEUE: queue }, { array: [r] });
    expect(await res.json()).toMatchObject({ queued: true });
    const [message] = sent;
    const batch = createMessageBatch<QueuedPush>("callrelay-ingest", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: message as QueuedPush },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, DB: failingBatches(D1_TOO_BIG) }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(await pushRow(message?.pushId as string)).toMatchObject({ status: "set_aside" });
    expect(await env.ARCHIVE.head(`queued/${message?.pushId}`)).toBeNull();
    expect(await env.ARCHIVE.head(`set_aside/${message?.pushId}`)).not.toBeNull();
  });
});

describe("a push queued while D1 was down", () => {
  it("reads as queued by id, with what it will store, and cannot be reprocessed before it is stored", async () => {
    const { queue } = recordingQueue();
    const good = record();
    const res = await pushWith({ DB: downD1, INGEST_QUEUE: queue }, { array: [good, { voiceId: null }] });
    const { pushId } = await res.json<{ pushId: string }>();
    const detail = await admin(`/pushes/${pushId}`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({
      id: pushId,
      status: "queued",
      sourceId: "src_default",
      records: 2,
      accepted: 1,
      rejectedCount: 1,
      body: JSON.stringify({ array: [good, { voiceId: null }] }),
    });
    const again = await admin(`/pushes/${pushId}/reprocess`, { method: "POST" });
    expect(again.status).toBe(409);
    await sweepQueuedPushes(env, Date.now() + 120_000);
    expect(await (await admin(`/pushes/${pushId}`)).json()).toMatchObject({ status: "stored", accepted: 1 });
  });
});

describe("the sweep of queued pushes", () => {
  /** Two pushes queued while D1 was down, their messages lost: only their markers are left. */
  async function twoQueued() {
    const { queue } = recordingQueue();
    const records = [record(), record()];
    const pushIds: string[] = [];
    for (const r of records) {
      const res = await pushWith({ DB: downD1, INGEST_QUEUE: queue }, { array: [r] });
      pushIds.push((await res.json<{ pushId: string }>()).pushId);
    }
    return { records, pushIds };
  }
  const stored = async (pushIds: string[]) =>
    Promise.all(pushIds.map(async (id) => (await pushRow(id))?.status ?? "queued"));

  it("sets aside a push D1 refuses for good and goes on to the pushes behind it", async () => {
    const { pushIds } = await twoQueued();
    await sweepQueuedPushes({ ...env, DB: failingBatches(D1_TOO_BIG) }, Date.now() + 120_000);
    expect((await stored(pushIds)).sort()).toEqual(["set_aside", "stored"]);
    for (const id of pushIds) expect(await env.ARCHIVE.head(`queued/${id}`)).toBeNull();
  });

  it("goes on past a push that fails while D1 answers, and stores it at a later sweep", async () => {
    const { pushIds } = await twoQueued();
    await sweepQueuedPushes({ ...env, DB: failingBatches(D1_LOST) }, Date.now() + 120_000);
    expect((await stored(pushIds)).sort()).toEqual(["queued", "stored"]);
    await sweepQueuedPushes(env, Date.now() + 120_000);
    expect(await stored(pushIds)).toEqual(["stored", "stored"]);
  });

  it("stops while D1 does not answer at all, keeping every marker", async () => {
    const { pushIds } = await twoQueued();
    expect(await sweepQueuedPushes({ ...env, DB: downD1 }, Date.now() + 120_000)).toBe(0);
    for (const id of pushIds) expect(await env.ARCHIVE.head(`queued/${id}`)).not.toBeNull();
    await sweepQueuedPushes(env, Date.now() + 120_000);
    expect(await stored(pushIds)).toEqual(["stored", "stored"]);
  });
});
