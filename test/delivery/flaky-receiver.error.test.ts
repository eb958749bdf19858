import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MIN_JUDGED_ATTEMPTS } from "../../src/model/breaker-window";
import { consume, consumeMessages, parkedDeliveries, withRecordingLanes } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { attemptsOf, createDestination, push, record, rows } from "../support/worker";

// Destinations left enabled would get deliveries (through the real queue) from the next test's pushes.
afterEach(async () => {
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
  vi.unstubAllGlobals();
});

const FAST = "callrelay-deliveries";
const SLOW = "callrelay-deliveries-slow";

const destination = async (id: string) =>
  (
    await rows<{ circuit: string; open_until: number | null; fail_streak: number; slow: number }>(
      "SELECT circuit, open_until, fail_streak, slow FROM destinations WHERE id = ?",
      id,
    )
  )[0];
const delivery = async (id: string) =>
  (
    await rows<{ status: string; attempts: number; next_attempt_at: number | null; last_error: string | null }>(
      "SELECT status, attempts, next_attempt_at, last_error FROM deliveries WHERE id = ?",
      id,
    )
  )[0];
const statuses = async (ids: readonly string[]) => Promise.all(ids.map(async (id) => (await delivery(id))?.status));

/** A receiver at `url` failing (503) the requests whose index `fails`, answering 200 otherwise. */
function failing(url: string, fails: (index: number) => boolean) {
  const receiver = installReceiver();
  let index = 0;
  receiver.answer((request) =>
    request.url === url && fails(index++) ? new Response("down", { status: 503 }) : new Response("ok"),
  );
  return receiver;
}

describe("the breaker judges rates", () => {
  it(`just under half of ${MIN_JUDGED_ATTEMPTS} attempts failing stays closed; half opens it, with a probe queued for the cool-down's end`, async () => {
    const url = hookUrl("under");
    failing(url, (i) => i < MIN_JUDGED_ATTEMPTS / 2 - 1);
    const under = await parkedDeliveries({ type: "webhook", config: { url } }, MIN_JUDGED_ATTEMPTS);
    const lanes = withRecordingLanes();
    await consume(under.ids, FAST, lanes.env);
    expect(await destination(under.dest.id)).toMatchObject({ circuit: "closed" });
    expect(lanes.slow.filter((m) => "probe" in m.body)).toEqual([]);

    const overUrl = hookUrl("over");
    failing(overUrl, (i) => i < MIN_JUDGED_ATTEMPTS / 2);
    const over = await parkedDeliveries({ type: "webhook", config: { url: overUrl } }, MIN_JUDGED_ATTEMPTS);
    const before = Date.now();
    await consume(over.ids, FAST, lanes.env);
    const opened = await destination(over.dest.id);
    expect(opened).toMatchObject({ circuit: "open", fail_streak: MIN_JUDGED_ATTEMPTS / 2 });
    expect(opened?.open_until).toBeGreaterThanOrEqual(before + 30_000);
    expect(lanes.slow.filter((m) => "probe" in m.body)).toEqual([
      { body: { probe: over.dest.id }, delaySeconds: expect.any(Number) },
    ]);
    const probe = lanes.slow.find((m) => "probe" in m.body);
    expect(probe?.delaySeconds).toBeGreaterThanOrEqual(29);
    expect(probe?.delaySeconds).toBeLessThanOrEqual(31);
  });

  it("a receiver failing one attempt in seven never opens it", async () => {
    const url = hookUrl("flaky");
    failing(url, (i) => i % 7 === 0);
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 210);
    const lanes = withRecordingLanes();
    for (let i = 0; i < ids.length; i += 70) await consume(ids.slice(i, i + 70), FAST, lanes.env);
    expect(await destination(dest.id)).toMatchObject({ circuit: "closed" });
    const counts = await rows<{ status: string; n: number }>(
      "SELECT status, count(*) AS n FROM deliveries WHERE destination_id = ? GROUP BY status ORDER BY status",
      dest.id,
    );
    expect(counts).toEqual([
      { status: "delivered", n: 180 },
      { status: "retrying", n: 30 },
    ]);
  });

  it("holds while open; at the cool-down's end the probe goes at once and the held deliveries follow through the queue, without a sweep", async () => {
    const url = hookUrl("down");
    let up = false;
    const receiver = installReceiver();
    receiver.answer((request) =>
      request.url === url && !up ? new Response("down", { status: 503 }) : new Response("ok"),
    );
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, MIN_JUDGED_ATTEMPTS + 5);
    const lanes = withRecordingLanes();
    await consume(ids.slice(0, MIN_JUDGED_ATTEMPTS), FAST, lanes.env);
    const open = await destination(dest.id);
    expect(open?.circuit).toBe("open");

    const held = ids.slice(MIN_JUDGED_ATTEMPTS);
    const sent = receiver.to(url).length;
    await consume(held, FAST, lanes.env);
    expect(receiver.to(url)).toHaveLength(sent);
    for (const id of held) {
      expect(await delivery(id)).toMatchObject({ status: "pending", attempts: 0, next_attempt_at: open?.open_until });
    }

    // The cool-down ends: the queued probe message arrives.
    up = true;
    const ended = Date.now() - 1;
    await env.DB.prepare("UPDATE destinations SET open_until = ? WHERE id = ?").bind(ended, dest.id).run();
    await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE destination_id = ? AND attempts = 0")
      .bind(ended, dest.id)
      .run();
    const probe = lanes.slow.find((m) => "probe" in m.body);
    lanes.fast.length = 0;
    await consumeMessages([probe?.body as { probe: string }], SLOW, lanes.env);
    expect(receiver.to(url)).toHaveLength(sent + 1);
    expect(await destination(dest.id)).toMatchObject({ circuit: "closed" });
    const delivered = (await statuses(held)).filter((s) => s === "delivered").length;
    expect(delivered).toBe(1);
    // The other held deliveries are queued at once (swept: each consumed takes the next due one).
    const released = lanes.fast.map((m) => m.body);
    expect(released).toHaveLength(held.length - 1);
    for (const body of released) expect(body).toMatchObject({ swept: true });
    await consumeMessages(released, FAST, lanes.env);
    expect(await statuses(held)).toEqual(held.map(() => "delivered"));
  });
});

describe("lanes by evidence", () => {
  it("one timeout among fast answers moves only that delivery's retry to the slow lane", async () => {
    const url = hookUrl("mostly-fast");
    const receiver = installReceiver();
    let toUrl = 0;
    receiver.answer((request) => (request.url === url && toUrl++ === 3 ? "hang" : new Response("ok")));
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 30);
    const lanes = withRecordingLanes();
    await consume(ids, FAST, lanes.env);
    expect(await destination(dest.id)).toMatchObject({ slow: 0 });
    const retried = (await Promise.all(ids.map(delivery))).filter((d) => d?.status === "retrying");
    expect(retried).toHaveLength(1);
    expect(retried[0]?.last_error).toBe(`no answer within ${env.FAST_LANE_TIMEOUT_MS} ms: retried in the slow lane`);
    expect(lanes.slow).toHaveLength(1);
  });

  it("repeated timeouts move the destination to the slow lane; an answer in time there brings it back", async () => {
    const url = hookUrl("hanging");
    const receiver = installReceiver();
    receiver.answer((request) => (request.url === url ? "hang" : new Response("ok")));
    const { dest, ids } = await parkedDeliveries({ type: "webhook", config: { url } }, 10);
    const lanes = withRecordingLanes();
    await consume(ids, FAST, lanes.env);
    expect(await destination(dest.id)).toMatchObject({ slow: 1 });
    // Six went at once; once three had timed out the evidence was in, so the rest went to the slow lane unsent.
    const sent = receiver.to(url).length;
    const unsent = (await Promise.all(ids.map(delivery))).filter((d) => d?.attempts === 0);
    expect(sent).toBeLessThanOrEqual(6 + 2);
    expect(unsent).toHaveLength(10 - sent);
    expect(lanes.slow).toHaveLength(10);

    receiver.answer(() => new Response("ok"));
    await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?, lease_until = NULL WHERE destination_id = ?")
      .bind(Date.now() - 1, dest.id)
      .run();
    await consume(ids, SLOW, lanes.env);
    expect(await statuses(ids)).toEqual(ids.map(() => "delivered"));
    expect(await destination(dest.id)).toMatchObject({ slow: 0 });
  });
});

describe("one bad job never sinks a batch", () => {
  it("a 200 MB streamed answer is read up to 64 KB and cancelled: that delivery's attempt fails, the others deliver", async () => {
    const [hugeUrl, okUrl] = [hookUrl("huge"), hookUrl("ok")];
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(64 * 1024).fill(120);
    const receiver = installReceiver();
    receiver.answer((request) => {
      if (request.url !== hugeUrl) return new Response("ok");
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 200 * 1024 * 1024) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body, { status: 500 });
    });
    const huge = await parkedDeliveries({ type: "webhook", config: { url: hugeUrl } }, 1);
    const ok = await parkedDeliveries({ type: "webhook", config: { url: okUrl } }, 3);
    const lanes = withRecordingLanes();
    const result = await consume([...huge.ids, ...ok.ids], FAST, lanes.env);
    expect(result.ackAll).toBe(true);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(1024 * 1024);
    expect(await statuses(ok.ids)).toEqual(["delivered", "delivered", "delivered"]);
    const [attempt] = await attemptsOf(huge.ids[0] as string);
    expect(attempt).toMatchObject({ status_code: 500, outcome: "retry" });
    expect(attempt?.response_body).toHaveLength(1024);
  });

  it("a throwing pacer fails that delivery's attempt with the error on record; the others deliver", async () => {
    installReceiver();
    const chat = await parkedDeliveries(
      { type: "slack", config: { url: "https://hooks.slack.com/services/T1/B1/pacer" } },
      1,
    );
    const ok = await parkedDeliveries({ type: "webhook", config: { url: hookUrl() } }, 2);
    const lanes = withRecordingLanes();
    const pacer = {
      getByName: (name: string) => ({
        reserve: async () => {
          throw new Error("pacer unavailable");
        },
        observe: (observations: never) => env.PACER.getByName(name).observe(observations),
      }),
    };
    const result = await consume([...chat.ids, ...ok.ids], FAST, { ...lanes.env, PACER: pacer } as unknown as Env);
    expect(result.ackAll).toBe(true);
    expect(await statuses(ok.ids)).toEqual(["delivered", "delivered"]);
    expect(await delivery(chat.ids[0] as string)).toMatchObject({
      status: "retrying",
      attempts: 1,
      last_error: "could not send: pacer unavailable",
    });
    expect(await attemptsOf(chat.ids[0] as string)).toMatchObject([
      { outcome: "retry", error: "could not send: pacer unavailable", status_code: null },
    ]);
  });

  it("a stored template that no longer renders fails that delivery's attempt; the others deliver", async () => {
    const receiver = installReceiver();
    const brokenUrl = hookUrl("broken");
    const broken = await parkedDeliveries({ type: "webhook", config: { url: brokenUrl } }, 1);
    await env.DB.prepare("UPDATE destinations SET template = ? WHERE id = ?").bind("{{nope", broken.dest.id).run();
    const ok = await parkedDeliveries({ type: "webhook", config: { url: hookUrl() } }, 2);
    const lanes = withRecordingLanes();
    const result = await consume([...broken.ids, ...ok.ids], FAST, lanes.env);
    expect(result.ackAll).toBe(true);
    expect(receiver.to(brokenUrl)).toHaveLength(0);
    expect(await statuses(ok.ids)).toEqual(["delivered", "delivered"]);
    const after = await delivery(broken.ids[0] as string);
    expect(after).toMatchObject({ status: "retrying", attempts: 1 });
    expect(after?.last_error).toMatch(/^could not send: stored template does not parse/);
    expect(lanes.slow.map((m) => m.body)).toEqual([{ deliveryId: broken.ids[0] }]);
  });
});

describe("which destinations get a call", () => {
  it("a destination subscribed only to operation events gets no call deliveries", async () => {
    installReceiver();
    const events = await createDestination({ type: "webhook", config: { url: hookUrl() }, events: ["digest.daily"] });
    const calls = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const call = record();
    expect((await push({ array: [call] })).status).toBe(200);
    const planned = await rows<{ destination_id: string }>(
      "SELECT destination_id FROM deliveries WHERE voice_id = ? AND destination_id IN (?, ?)",
      call.voiceId,
      events.id,
      calls.id,
    );
    expect(planned).toEqual([{ destination_id: calls.id }]);
    await env.DB.prepare("UPDATE destinations SET enabled = 0 WHERE id = ?").bind(calls.id).run();
    await env.DB.prepare("UPDATE deliveries SET status = 'delivered' WHERE destination_id = ?").bind(calls.id).run();
  });
});
