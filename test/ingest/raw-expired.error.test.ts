import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { QueuedPush } from "../../src/pipeline/ingest/queue-ingest";
import { D1_TOO_BIG, downD1, failingBatches, pushWith, recordingQueue } from "../support/outage";
import { admin, record, rows } from "../support/worker";

// The deploy's R2 lifecycle rule "expire-raw" deletes `raw/*` after RAW_RETENTION_DAYS whatever the retention
// sweep pins: a push queued or set aside must keep its body elsewhere until it is resolved.

/** What the lifecycle rule does once a body is old enough: deletes everything under `raw/`. */
async function expireRaw() {
  for (;;) {
    const listed = await env.ARCHIVE.list({ prefix: "raw/", limit: 1_000 });
    if (listed.objects.length > 0) await env.ARCHIVE.delete(listed.objects.map((o) => o.key));
    if (!listed.truncated) return;
  }
}

const statusOf = async (pushId: string) =>
  (await rows<{ status: string }>("SELECT status FROM pushes WHERE id = ?", pushId))[0]?.status;
const callsOf = (voiceId: string) => rows("SELECT voice_id FROM calls WHERE voice_id = ?", voiceId);

/** Hands a queued push's message to the Worker's ingest queue handler, with `dbEnv` overriding the bindings. */
async function deliverQueued(message: QueuedPush, dbEnv: Partial<Env> = {}) {
  const batch = createMessageBatch<QueuedPush>("callrelay-ingest", [
    { id: "m1", timestamp: new Date(), attempts: 1, body: message },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...dbEnv }, ctx);
  return getQueueResult(batch, ctx);
}

describe("a push set aside after the lifecycle rule expired raw/", () => {
  it("still reads by id and reprocesses from its marker's copy, which goes once it is resolved", async () => {
    const r = record();
    const res = await pushWith({ DB: failingBatches(D1_TOO_BIG) }, { array: [r] });
    const { pushId } = await res.json<{ pushId: string }>();
    expect(await statusOf(pushId)).toBe("set_aside");
    await expireRaw();

    const detail = await admin(`/pushes/${pushId}`);
    expect(detail.status).toBe(200);
    const shown = await detail.json<{ status: string; body: string | null }>();
    expect(shown.status).toBe("set_aside");
    expect(JSON.parse(shown.body ?? "null")).toEqual({ array: [r] });

    const again = await admin(`/pushes/${pushId}/reprocess`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ reprocessedFrom: pushId, accepted: 1, status: "stored" });
    expect(await callsOf(r.voiceId)).toHaveLength(1);
    expect(await statusOf(pushId)).toBe("resolved");
    expect(await env.ARCHIVE.head(`set_aside/${pushId}`)).toBeNull();
  });
});

describe("a push queued while D1 was down, after the lifecycle rule expired raw/", () => {
  it("still reads by id and is ingested from its marker's copy, which goes once it is stored", async () => {
    const { sent, queue } = recordingQueue();
    const r = record();
    const res = await pushWith({ DB: downD1, INGEST_QUEUE: queue }, { array: [r] });
    expect(await res.json()).toMatchObject({ queued: true });
    const [message] = sent as QueuedPush[];
    await expireRaw();

    const detail = await admin(`/pushes/${message?.pushId}`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({ status: "queued", accepted: 1, body: JSON.stringify({ array: [r] }) });

    const result = await deliverQueued(message as QueuedPush);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(await statusOf(message?.pushId as string)).toBe("stored");
    expect(await callsOf(r.voiceId)).toHaveLength(1);
    expect(await env.ARCHIVE.head(`queued/${message?.pushId}`)).toBeNull();
  });

  it("set aside from the queue keeps its body in the set-aside marker, and reprocesses", async () => {
    const { sent, queue } = recordingQueue();
    const r = record();
    await pushWith({ DB: downD1, INGEST_QUEUE: queue }, { array: [r] });
    const [message] = sent as QueuedPush[];
    const pushId = message?.pushId as string;
    await expireRaw();

    await deliverQueued(message as QueuedPush, { DB: failingBatches(D1_TOO_BIG) });
    expect(await statusOf(pushId)).toBe("set_aside");
    expect(await env.ARCHIVE.head(`queued/${pushId}`)).toBeNull();

    const again = await admin(`/pushes/${pushId}/reprocess`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ reprocessedFrom: pushId, accepted: 1, status: "stored" });
    expect(await callsOf(r.voiceId)).toHaveLength(1);
    expect(await env.ARCHIVE.head(`set_aside/${pushId}`)).toBeNull();
  });
});
