import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { BACKFILL_BODIES } from "../../src/pipeline/ingest/history-backfill";
import { push, record, rows } from "../support/worker";
import { adminWith, restoreConfirmTiming, withStream } from "./stand-in";

afterEach(restoreConfirmTiming);

interface Step {
  phase: string;
  sent: number;
  complete: boolean;
}

async function backfill(bindings: Env, since: number, maxSteps = 50): Promise<Step[]> {
  const steps: Step[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const res = await adminWith(bindings, "/history/backfill", { since: String(since) });
    expect(res.status, await res.clone().text()).toBe(200);
    const step = await res.json<Step>();
    steps.push(step);
    if (step.complete) return steps;
  }
  throw new Error("backfill did not finish");
}

describe("history backfill", () => {
  it("streams the calls D1 holds and the archived pushes it no longer holds, once, resumably", async () => {
    const since = Date.now() - 60_000;
    // Pushes stored before the stream: some whose calls D1 has since deleted (they live on in the archive only).
    const gone: string[] = [];
    for (let i = 0; i < BACKFILL_BODIES + 3; i++) {
      const r = record();
      await push({ array: [r] });
      gone.push(r.voiceId);
    }
    await env.DB.prepare("DELETE FROM calls WHERE voice_id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(gone))
      .run();
    const kept = [record(), record(), record()];
    await push({ array: kept });

    const { stream, bindings } = withStream();
    const first = await adminWith(bindings, "/history/backfill", { since: String(since) });
    // More archived bodies than one step reads: it stops in the archive, and the next request goes on from there.
    expect(await first.json<Step>()).toMatchObject({ phase: "archive", complete: false });
    const steps = await backfill(bindings, since);
    expect(steps.at(-1)?.complete).toBe(true);

    const voices = stream.rows.map((row) => row.voice_id as string);
    for (const v of [...gone, ...kept.map((k) => k.voiceId)])
      expect(
        voices.filter((x) => x === v),
        v,
      ).toHaveLength(1);
    const [state] = await rows<{ streamed_from: number }>("SELECT streamed_from FROM history_state WHERE id = 1");
    expect(state?.streamed_from).toBe(since);

    const before = stream.rows.length;
    const again = await backfill(bindings, since);
    expect(again).toEqual([expect.objectContaining({ sent: 0, complete: true })]);
    expect(stream.rows.length).toBe(before);
  });

  it("answers 409 without a stream", async () => {
    const res = await adminWith(env, "/history/backfill", { since: String(Date.now() - 1000) });
    expect(res.status).toBe(409);
  });
});
