import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { runCron } from "../support/handlers";
import { record, rows } from "../support/worker";
import { adminWith, pushWith, restoreConfirmTiming, StreamStandIn, withStream } from "./stand-in";

afterEach(restoreConfirmTiming);

const DAY = 86_400_000;

/** Dates a push and its calls `daysAgo` back, with the stream's range starting before them. */
async function age(pushId: string, daysAgo: number) {
  const at = Date.now() - daysAgo * DAY;
  await env.DB.batch([
    env.DB.prepare("UPDATE pushes SET received_at = ? WHERE id = ?").bind(at, pushId),
    env.DB.prepare("UPDATE calls SET received_at = ? WHERE push_id = ?").bind(at, pushId),
    env.DB.prepare("UPDATE history_state SET streamed_from = min(streamed_from, ?) WHERE id = 1").bind(at - DAY),
  ]);
}

const callsOf = async (pushId: string) =>
  (await rows<{ n: number }>("SELECT count(*) AS n FROM calls WHERE push_id = ?", pushId))[0]?.n;

describe("retention with a calls stream", () => {
  it("never deletes a call the stream has not confirmed (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), async (outages) => {
        const { stream, bindings } = withStream(new StreamStandIn());
        const pushed: { pushId: string; confirmed: boolean }[] = [];
        for (const down of outages) {
          stream.down = down;
          const res = await pushWith(bindings, { array: [record(), record()] });
          pushed.push({ pushId: (await res.json<{ pushId: string }>()).pushId, confirmed: !down });
        }
        for (const p of pushed) await age(p.pushId, 400);
        stream.down = true; // the catch-up cannot confirm them meanwhile
        await runCron(Date.now(), bindings);
        for (const p of pushed) expect(await callsOf(p.pushId), p.pushId).toBe(p.confirmed ? 0 : 2);
      }),
      { numRuns: 8 },
    );
  });

  it("keeps calls stored before the stream existed until a backfill covers them", async () => {
    const plain = await (await pushWith(env, { array: [record()] })).json<{ pushId: string }>();
    const { bindings } = withStream();
    await pushWith(bindings, { array: [record()] }); // starts the streamed range now
    const at = Date.now() - 400 * DAY;
    await env.DB.batch([
      env.DB.prepare("UPDATE pushes SET received_at = ? WHERE id = ?").bind(at, plain.pushId),
      env.DB.prepare("UPDATE calls SET received_at = ? WHERE push_id = ?").bind(at, plain.pushId),
    ]);
    await runCron(Date.now(), bindings);
    expect(await callsOf(plain.pushId)).toBe(1);
  });

  it("answers a deleted call's 404 with where it went", async () => {
    const { bindings } = withStream();
    const r = record();
    const { pushId } = await (await pushWith(bindings, { array: [r] })).json<{ pushId: string }>();
    await age(pushId, 400);
    await runCron(Date.now(), bindings);
    expect(await callsOf(pushId)).toBe(0);
    const res = await adminWith(bindings, `/calls/src_default/${r.voiceId}`);
    expect(res.status).toBe(404);
    const body = await res.json<{ error: { message: string; details: { history: Record<string, unknown> } } }>();
    expect(body.error.message).toMatch(/moved to history/);
    expect(body.error.details.history).toMatchObject({
      before: expect.any(Number),
      sql: expect.stringContaining(`voice_id = '${r.voiceId}'`),
    });
  });
});
