import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { countRoundTrips, type RoundTrips } from "../../bench/capture-worker/count-round-trips";
import worker from "../../src/index";
import { CATCH_UP_GRACE_MS } from "../../src/pipeline/ingest/stream-catch-up";
import { confirmTiming } from "../../src/storage/calls-stream";
import { runCron } from "../support/handlers";
import { BASE, dropArchivedBody, PUSH_TOKEN, push, record, rows } from "../support/worker";
import { schemaFileProblem } from "./schema-file";
import { fetchWith, pushWith, restoreConfirmTiming, StreamStandIn, withStream } from "./stand-in";

afterEach(restoreConfirmTiming);

const key = (r: { source_id?: unknown; voice_id?: unknown; push_id?: unknown }) =>
  `${r.source_id}/${r.voice_id}/${r.push_id}`;

/** Runs the cron (past the catch-up's grace) until no push waits for the stream. */
async function catchUp(bindings: Env) {
  for (let run = 0; run < 20; run++) {
    await runCron(Date.now() + CATCH_UP_GRACE_MS + 60_000, bindings);
    const [pending] = await rows<{ n: number }>("SELECT count(*) AS n FROM pushes WHERE stream_state = 0");
    if (pending?.n === 0) return;
  }
  throw new Error("pushes still pending after 20 cron runs");
}

describe("the calls stream", () => {
  it("gets every stored call version at least once, through outages and re-pushes (property)", async () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("push" as const),
        voices: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
        callDuration: fc.integer({ min: 0, max: 300 }),
      }),
      fc.record({ kind: fc.constant("outage" as const), down: fc.boolean() }),
      fc.record({ kind: fc.constant("cron" as const) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        run += 1;
        const { stream, bindings } = withStream(new StreamStandIn());
        const stored = new Map<string, Record<string, unknown>>();
        for (const s of steps) {
          if (s.kind === "outage") stream.down = s.down;
          else if (s.kind === "cron") await runCron(Date.now() + CATCH_UP_GRACE_MS + 60_000, bindings);
          else {
            const records = [...new Set(s.voices)].map((v) =>
              record({ voiceId: `p${run}-${Date.now().toString(36)}-v${v}`, callDuration: s.callDuration }),
            );
            const res = await pushWith(bindings, { array: records });
            expect(res.status).toBe(200);
            const { pushId } = await res.json<{ pushId: string }>();
            for (const r of records) stored.set(`src_default/${r.voiceId}/${pushId}`, r);
          }
        }
        stream.down = false;
        await catchUp(bindings);
        const captured = new Set(stream.rows.map(key));
        for (const version of stored.keys()) expect(captured, version).toContain(version);
        for (const row of stream.rows) expect(schemaFileProblem(row)).toBeNull();
      }),
      {
        numRuns: 15,
        // Always tried: a push during an outage, then a re-push of the same calls once it is over.
        examples: [
          [
            [
              { kind: "outage", down: true },
              { kind: "push", voices: [0, 1], callDuration: 5 },
              { kind: "outage", down: false },
              { kind: "push", voices: [1, 2], callDuration: 9 },
            ],
          ],
        ],
      },
    );
  });

  it("sends rows that match the schema file, field for field", async () => {
    const { stream, bindings } = withStream();
    await pushWith(bindings, { array: [record(), record({ answerTime: null, cost: "0.5", extraField: [1] })] });
    expect(stream.rows).toHaveLength(2);
    for (const row of stream.rows) expect(schemaFileProblem(row)).toBeNull();
    expect(stream.rows[1]).toHaveProperty("answer_time", null); // every field present: null where the call has none
    expect(stream.rows[1]).toMatchObject({ cost: "0.5", connected: expect.any(Boolean), push_id: expect.any(String) });
  });

  it("marks a push confirmed once send() resolves, and pending while the stream fails", async () => {
    const { stream, bindings } = withStream();
    const ok = await (await pushWith(bindings, { array: [record()] })).json<{ pushId: string }>();
    stream.down = true;
    const failed = await (await pushWith(bindings, { array: [record()] })).json<{ pushId: string }>();
    const state = async (id: string) =>
      (await rows<{ s: number }>("SELECT stream_state AS s FROM pushes WHERE id = ?", id))[0]?.s;
    expect(await state(ok.pushId)).toBe(1);
    expect(await state(failed.pushId)).toBe(0);
    const health = await (await fetchWith(bindings, "/health")).json<{ history: Record<string, unknown> }>();
    expect(health.history).toMatchObject({ configured: true, pendingPushes: 1, pendingRows: 1, invalidRows: 0 });
    expect(health.history.lastConfirmedAt).toEqual(expect.any(Number));
    stream.down = false;
    await catchUp(bindings);
    expect(await state(failed.pushId)).toBe(1);
  });

  it("sends a pending push whose archived body is gone from D1: the calls whose latest version it is", async () => {
    const { stream, bindings } = withStream();
    stream.down = true;
    const [kept, superseded] = [record(), record()];
    const { pushId } = await (await pushWith(bindings, { array: [kept, superseded] })).json<{ pushId: string }>();
    stream.down = false;
    await pushWith(bindings, { array: [{ ...superseded, callDuration: 99 }] }); // a later version of one of them
    await dropArchivedBody(pushId);
    await catchUp(bindings);
    const fromPush = stream.rows.filter((row) => row.push_id === pushId);
    expect(fromPush.map((row) => row.voice_id)).toEqual([kept.voiceId]);
    expect(stream.rows.find((row) => row.voice_id === superseded.voiceId)).toMatchObject({ call_duration: 99 });
  });

  it("writes a confirmation in the next push's batch: no D1 round trip of its own", async () => {
    const { bindings } = withStream();
    confirmTiming.flush = false; // no flush of its own: only a push batch writes it
    const first = await (await pushWith(bindings, { array: [record()] })).json<{ pushId: string }>();
    const state = async () =>
      (await rows<{ s: number }>("SELECT stream_state AS s FROM pushes WHERE id = ?", first.pushId))[0]?.s;
    expect(await state()).toBe(0);
    const trips: RoundTrips = { n: 0, kinds: {} };
    const counted = countRoundTrips(env.DB, trips);
    const plain = { ...bindings, CALLS_STREAM: undefined } as unknown as Env;
    await pushWith(plain, { array: [record()] }); // records the storage size now: the next two pushes within 10 s do not
    await pushWith({ ...plain, DB: counted } as Env, { array: [record()] }); // a push without a stream: the floor
    const floor = trips.n;
    trips.n = 0;
    await pushWith({ ...bindings, DB: counted } as Env, { array: [record()] });
    expect(trips.n).toBe(floor);
    expect(await state()).toBe(1);
  });

  it("writes no confirmation of its own while pushes keep coming, and one UPDATE after the last", async () => {
    const { stream, bindings } = withStream();
    confirmTiming.delayMs = 300;
    const trips: RoundTrips = { n: 0, kinds: {} };
    const counted = { ...bindings, DB: countRoundTrips(env.DB, trips) } as Env;
    // 12 pushes 150 ms apart: each lands inside the previous one's quiet wait, and together they last 4 waits over.
    const contexts: ExecutionContext[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request(`${BASE}/push/${PUSH_TOKEN}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ array: [record()] }),
        }),
        counted,
        ctx,
      );
      ids.push((await res.json<{ pushId: string }>()).pushId);
      contexts.push(ctx);
      await new Promise((r) => setTimeout(r, 150));
    }
    await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
    const flushes = Object.entries(trips.kinds)
      .filter(
        ([kind]) => kind.startsWith("batch:") && kind.includes("update pushes") && !kind.includes("insert pushes"),
      )
      .reduce((n, [, count]) => n + count, 0);
    expect(flushes).toBe(1);
    expect(stream.rows).toHaveLength(12);
    const [left] = await rows<{ n: number }>(
      `SELECT count(*) AS n FROM pushes WHERE id IN (${ids.map(() => "?").join(",")}) AND stream_state != 1`,
      ...ids,
    );
    expect(left?.n).toBe(0);
  });

  it("changes nothing without a CALLS_STREAM binding", async () => {
    const res = await push({ array: [record()] });
    const { pushId } = await res.json<{ pushId: string }>();
    const [row] = await rows<{ s: number | null }>("SELECT stream_state AS s FROM pushes WHERE id = ?", pushId);
    expect(row?.s).toBeNull();
    const health = await (await fetchWith(env, "/health")).json<{ history: { configured: boolean } }>();
    expect(health.history.configured).toBe(false);
  });
});
