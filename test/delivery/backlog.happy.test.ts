import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { RECORD_EVERY, SEND_POOL_SIZE } from "../../src/pipeline/delivery/consumer";
import { sweepDeliveries } from "../../src/pipeline/delivery/sweeper";
import type { DeliveryMessage } from "../../src/pipeline/dispatch/enqueue";
import { readAttemptDetail } from "../../src/storage/attempt-details";
import { getDb } from "../../src/storage/db/client";
import { listAttempts } from "../../src/storage/delivery-attempts";
import { consume, consumeMessages, parkedDeliveries, withRecordingLanes } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { rows } from "../support/worker";

// Destinations left enabled would get deliveries (through the real queue) from the next test's pushes.
afterEach(async () => {
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
  vi.unstubAllGlobals();
});

const statusesOf = (ids: readonly string[]) =>
  rows<{ status: string; n: number }>(
    "SELECT status, count(*) AS n FROM deliveries WHERE id IN (SELECT value FROM json_each(?)) GROUP BY status ORDER BY status",
    JSON.stringify(ids),
  );

describe("a batch is never held by its slowest member", () => {
  it("records what finished and returns while a request still hangs; the straggler is recorded when it answers", async () => {
    const [okUrl, slowUrl] = [hookUrl("ok"), hookUrl("slow")];
    const ok = await parkedDeliveries({ type: "webhook", config: { url: okUrl } }, 10);
    const slow = await parkedDeliveries({ type: "webhook", config: { url: slowUrl } }, 1);
    // Five of the healthy destination's deliveries are due retries that no message carries: a backlog.
    const [inBatch, backlog] = [ok.ids.slice(0, 5), ok.ids.slice(5)];
    await env.DB.prepare(
      `UPDATE deliveries SET status = 'retrying', attempts = 1, next_attempt_at = ?, lease_until = NULL
       WHERE id IN (SELECT value FROM json_each(?))`,
    )
      .bind(Date.now() - 1, JSON.stringify(backlog))
      .run();
    // The slow receiver answers only once the handler has returned (within the slow lane's 500 ms timeout in tests).
    let answered = false;
    let release = () => {};
    const returned = new Promise<void>((resolve) => {
      release = resolve;
    });
    const receiver = installReceiver();
    receiver.answer(async (request) => {
      if (request.url !== slowUrl) return new Response("ok");
      await returned;
      answered = true;
      return new Response("ok");
    });
    const lanes = withRecordingLanes();
    const batch = createMessageBatch<DeliveryMessage>(
      "callrelay-deliveries-slow",
      [...inBatch, ...slow.ids].map((deliveryId, i) => ({
        id: `m${i}`,
        timestamp: new Date(),
        attempts: 1,
        body: { deliveryId },
      })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, lanes.env, ctx);

    // The handler returned (the batch acked) before the hanging request answered, with the others recorded.
    expect(answered).toBe(false);
    expect(await statusesOf(inBatch)).toEqual([{ status: "delivered", n: 5 }]);
    expect((await statusesOf(slow.ids))[0]?.status).toBe("pending");
    // Its queue held nothing behind it: the due backlog no message carries is queued again, on its lane.
    expect(lanes.slow.map((m) => m.body)).toEqual(
      expect.arrayContaining(backlog.map((deliveryId) => ({ deliveryId, swept: true }))),
    );

    release();
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(answered).toBe(true);
    expect(await statusesOf(slow.ids)).toEqual([{ status: "delivered", n: 1 }]);
    expect(receiver.to(okUrl)).toHaveLength(5);
    expect(receiver.to(slowUrl)).toHaveLength(1);
    // The batch's one archive object is written once the straggler is in: it holds its details too.
    // Both first-try successes: their attempts are kept on their delivery rows, read with the log by listAttempts.
    const [straggler] = await listAttempts(getDb(env.DB), slow.ids[0] as string, 1);
    const [healthy] = await listAttempts(getDb(env.DB), inBatch[0] as string, 1);
    expect(straggler?.detailKey).toEqual(expect.any(String));
    expect(straggler?.detailKey).toBe(healthy?.detailKey);
    const detail = await readAttemptDetail(
      env.ARCHIVE,
      straggler?.detailKey ?? null,
      slow.ids[0] as string,
      straggler?.attemptedAt as number,
    );
    expect(detail.state).toBe("kept");
  });
});

describe("at-least-once, and only that", () => {
  it("a crash between a batch's sends and its record re-sends only what it sent unrecorded, once its lease ends", async () => {
    const url = hookUrl("crash");
    const receiver = installReceiver();
    const { ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 150);
    const lanes = withRecordingLanes();
    // The isolate "dies" at its first record (the second D1 batch): what it sent so far is never recorded, and it
    // sends nothing more, since no request starts while RECORD_EVERY attempts are unrecorded.
    let batches = 0;
    const dying = new Proxy(env.DB, {
      get(target, key) {
        if (key === "batch")
          return (statements: D1PreparedStatement[]) => {
            if (++batches === 2) throw new Error("isolate lost");
            return target.batch(statements);
          };
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const crashed = ids.slice(0, 100);
    await consume(crashed, "callrelay-deliveries", { ...lanes.env, DB: dying } as Env);
    const sentUnrecorded = receiver.to(url).length;
    expect(sentUnrecorded).toBeGreaterThanOrEqual(RECORD_EVERY);
    expect(sentUnrecorded).toBeLessThanOrEqual(RECORD_EVERY + SEND_POOL_SIZE);
    await consume(ids.slice(100), "callrelay-deliveries", lanes.env);
    expect(receiver.to(url)).toHaveLength(sentUnrecorded + 50);

    // Nothing is sent again while the crashed batch's lease lasts.
    expect(await sweepDeliveries(lanes.env)).toBe(0);
    // Its lease ends: the sweep sends the crashed batch (what it sent, and what it had claimed but not sent yet).
    await env.DB.prepare(
      "UPDATE deliveries SET lease_until = ?, claimed_until = ? WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'",
    )
      .bind(Date.now() - 1, Date.now() - 1, JSON.stringify(ids))
      .run();
    lanes.fast.length = 0;
    lanes.slow.length = 0;
    const swept = await sweepDeliveries(lanes.env);
    await consumeMessages(
      [...lanes.fast, ...lanes.slow].map((m) => m.body),
      "callrelay-deliveries-slow",
      lanes.env,
    );
    expect(await statusesOf(ids)).toEqual([{ status: "delivered", n: 150 }]);
    const perId = new Map<string, number>();
    for (const r of receiver.to(url))
      perId.set(r.headers["webhook-id"] ?? "", (perId.get(r.headers["webhook-id"] ?? "") ?? 0) + 1);
    const twice = [...perId.values()].filter((n) => n > 1).length;
    expect(swept).toBeGreaterThanOrEqual(100);
    expect(twice).toBe(sentUnrecorded);
    expect([...perId.values()].every((n) => n <= 2)).toBe(true);
    expect(perId.size).toBe(150);
  });
});
