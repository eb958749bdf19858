import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { MAX_FIELD_CHARS } from "../../src/model/calls/values";
import type { QueuedPush } from "../../src/pipeline/ingest/queue-ingest";
import { D1_LOST, D1_TOO_BIG, failingBatches, pushWith, recordingQueue } from "../support/outage";
import { rollupCounts, rollupRecount } from "../support/rollups";
import { admin, record, rows } from "../support/worker";

/** Hands queued pushes to the Worker's ingest-queue handler, in the order given, with `bindings`. */
async function consumeQueued(messages: readonly QueuedPush[], bindings: Partial<Env> = {}) {
  if (messages.length === 0) return;
  const batch = createMessageBatch<QueuedPush>(
    "callrelay-ingest",
    messages.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
}

/** A call's report at one stage: ringing, then answered, then hung up. */
const stages = [
  { callStatusNew: 3, callDescription: 8, intentCode: null, hangupTime: null, callTime: "2026-03-26 09:15:00" },
  { callStatusNew: 1, callDescription: 1, intentCode: "302", hangupTime: null, callTime: "2026-03-26 09:15:00" },
  {
    callStatusNew: 1,
    callDescription: 1,
    intentCode: "303",
    hangupTime: 1774509783000,
    callTime: "2026-03-26 10:15:00",
  },
];

const storedCall = async (sourceId: string, voiceId: string) =>
  (
    await rows<{ call_status_new: number; intent_code: string | null; hangup_time: number | null; push_id: string }>(
      "SELECT call_status_new, intent_code, hangup_time, push_id FROM calls WHERE source_id = ? AND voice_id = ?",
      sourceId,
      voiceId,
    )
  )[0];

/** D1 while it takes no writes (the source's token is still read, as from a replica). */
const writesDown = () => failingBatches(D1_LOST, Number.POSITIVE_INFINITY);

/** Date.now() in workerd moves on with I/O: a short wait makes the next push's receivedAt later than this one's. */
const tick = () => new Promise((r) => setTimeout(r, 3));

async function createSource() {
  const res = await admin("/sources", { body: { name: `src-${crypto.randomUUID()}` } });
  return res.json<{ id: string; token: string }>();
}

describe("the newest report of a call wins", () => {
  it("a push queued while D1 was down never replaces a report received after it", async () => {
    const source = await createSource();
    const { sent, queue } = recordingQueue();
    const ringing = record({ ...stages[0] });
    const queued = await pushWith({ DB: writesDown(), INGEST_QUEUE: queue }, { array: [ringing] }, source.token);
    expect(await queued.json()).toMatchObject({ queued: true });
    await tick();
    const hungUp = { ...ringing, ...stages[2] };
    const live = await pushWith({}, { array: [hungUp] }, source.token);
    const { pushId } = await live.json<{ pushId: string }>();

    await consumeQueued(sent);
    expect(await storedCall(source.id, ringing.voiceId)).toEqual({
      call_status_new: 1,
      intent_code: "303",
      hangup_time: 1774509783000,
      push_id: pushId,
    });
    expect(await rollupCounts(source.id)).toEqual(await rollupRecount(source.id));
  });

  it("an explicit reprocess of the older push overrides it", async () => {
    const source = await createSource();
    const ringing = record({ ...stages[0] });
    const first = await (await pushWith({}, { array: [ringing] }, source.token)).json<{ pushId: string }>();
    await tick();
    await pushWith({}, { array: [{ ...ringing, ...stages[2] }] }, source.token);
    const again = await admin(`/pushes/${first.pushId}/reprocess`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(await storedCall(source.id, ringing.voiceId)).toMatchObject({ call_status_new: 3, intent_code: null });
  });

  it("for any interleaving of pushes, re-pushes, queued pushes and D1 outages: the stored call is its newest report and nothing answered 200 is lost", async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constantFrom("live", "outage", "transient", "poison"),
        voices: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
        stage: fc.integer({ min: 0, max: 2 }),
        oversized: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("drain"), rotate: fc.nat(), outage: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const source = await createSource();
        const run = crypto.randomUUID();
        const voiceId = (v: number) => `${run}-${v}`;
        const { sent, queue } = recordingQueue();
        let pending: QueuedPush[] = [];
        /** The newest report accepted of each voice (pushes are answered in op order, each received later). */
        const newest = new Map<number, { stage: number; pushId: string }>();
        const answered: string[] = [];
        const setAside = new Set<string>();
        for (const o of ops) {
          if (o.kind === "drain") {
            const messages = [...pending, ...sent.splice(0)];
            const turn = o.rotate % Math.max(messages.length, 1);
            // A drain while D1 is down leaves every message to a later drain, as the queue retries them.
            if (!o.outage) await consumeQueued([...messages.slice(turn), ...messages.slice(0, turn)]);
            pending = o.outage ? messages : [];
            continue;
          }
          await tick();
          const array = o.voices.map((v) => record({ ...stages[o.stage], voiceId: voiceId(v) }));
          if (o.oversized) array.push(record({ voiceId: voiceId(0), calledInfo: "x".repeat(MAX_FIELD_CHARS + 1) }));
          const bindings: Partial<Env> = {
            INGEST_QUEUE: queue,
            ...(o.kind === "outage" ? { DB: writesDown() } : {}),
            ...(o.kind === "transient" ? { DB: failingBatches(D1_LOST) } : {}),
            ...(o.kind === "poison" ? { DB: failingBatches(D1_TOO_BIG) } : {}),
          };
          const res = await pushWith(bindings, { array }, source.token);
          expect(res.status).toBe(200);
          const body = await res.json<{ pushId: string; rejected: unknown[]; setAside?: true }>();
          expect(body.rejected).toHaveLength(o.oversized ? 1 : 0);
          answered.push(body.pushId);
          if (body.setAside) setAside.add(body.pushId);
          else for (const v of o.voices) newest.set(v, { stage: o.stage, pushId: body.pushId });
        }
        await consumeQueued([...pending, ...sent.splice(0)]);

        // Nothing answered 200 is lost: each push is logged stored, or set aside with its body kept.
        const logged = await rows<{ id: string; status: string }>(
          "SELECT id, status FROM pushes WHERE source_id = ?",
          source.id,
        );
        expect(new Map(logged.map((p) => [p.id, p.status]))).toEqual(
          new Map(answered.map((id) => [id, setAside.has(id) ? "set_aside" : "stored"])),
        );
        for (const id of setAside) expect(await env.ARCHIVE.head(`set_aside/${id}`)).not.toBeNull();
        for (const id of answered) expect(await env.ARCHIVE.head(`queued/${id}`)).toBeNull();
        // Each call is its newest report.
        for (const v of [0, 1, 2]) {
          const want = newest.get(v);
          const stored = await storedCall(source.id, voiceId(v));
          if (want === undefined) expect(stored).toBeUndefined();
          else {
            const stage = stages[want.stage] as (typeof stages)[number];
            expect(stored).toEqual({
              call_status_new: stage.callStatusNew,
              intent_code: stage.intentCode,
              hangup_time: stage.hangupTime,
              push_id: want.pushId,
            });
          }
        }
        expect(await rollupCounts(source.id)).toEqual(await rollupRecount(source.id));
      }),
      { numRuns: 25 },
    );
  });
});
