import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, deliveriesOf, push, record, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

interface Delivery {
  id: string;
  destinationId: string;
  destinationName: string | null;
  sourceId: string;
  voiceId: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}
type Page = { data: Delivery[]; nextCursor: string | null };

const isoTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** A delivery row written straight to D1, for a destination that need not exist. */
async function insertDelivery(destinationId: string, status: string, createdAt: number) {
  const id = `dlv_${crypto.randomUUID()}`;
  await env.DB.prepare(
    "INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, attempts, created_at, updated_at) VALUES (?, ?, 'src_default', ?, ?, 0, ?, ?)",
  )
    .bind(id, destinationId, `v${crypto.randomUUID()}`, status, createdAt, createdAt)
    .run();
  return id;
}

async function list(query: string) {
  const res = await admin(`/deliveries?${query}`);
  expect(res.status).toBe(200);
  return res.json<Page>();
}

describe("GET /deliveries", () => {
  it("lists a destination's deliveries newest first, with the call key, status and ISO times", async () => {
    installReceiver();
    const dest = await createDestination({ name: "crm", type: "webhook", config: { url: hookUrl() } });
    const first = record();
    await push({ array: [first] });
    await new Promise((r) => setTimeout(r, 5));
    const second = record();
    await push({ array: [second] });
    await waitForStatus(dest.id, first.voiceId, "delivered");
    await waitForStatus(dest.id, second.voiceId, "delivered");

    const page = await list(`destinationId=${dest.id}`);
    expect(page.nextCursor).toBeNull();
    expect(page.data.map((d) => d.voiceId)).toEqual([second.voiceId, first.voiceId]);
    expect(page.data[0]).toEqual({
      id: expect.stringMatching(/^dlv_/),
      destinationId: dest.id,
      destinationName: "crm",
      sourceId: "src_default",
      voiceId: second.voiceId,
      status: "delivered",
      attempts: 1,
      nextAttemptAt: null,
      lastStatusCode: 200,
      lastError: null,
      deliveredAt: isoTime,
      createdAt: isoTime,
      updatedAt: isoTime,
    });
  });

  it("filters by status and by a creation window", async () => {
    const destinationId = `dst_gone_${crypto.randomUUID()}`;
    const t = Date.UTC(2020, 0, 1);
    const failedOld = await insertDelivery(destinationId, "failed", t);
    const delivered = await insertDelivery(destinationId, "delivered", t + 1000);
    const failedNew = await insertDelivery(destinationId, "failed", t + 2000);
    await insertDelivery(destinationId, "pending", t + 3000);

    const failed = await list(`destinationId=${destinationId}&status=failed`);
    expect(failed.data.map((d) => d.id)).toEqual([failedNew, failedOld]);
    expect(failed.data[0]).toMatchObject({ destinationName: null, status: "failed" });

    const since = new Date(t + 1000).toISOString();
    const until = new Date(t + 3000).toISOString();
    const window = await list(`destinationId=${destinationId}&since=${since}&until=${until}`);
    expect(window.data.map((d) => d.id)).toEqual([failedNew, delivered]);
    const epoch = await list(`destinationId=${destinationId}&since=${t + 1000}&until=${t + 3000}`);
    expect(epoch.data.map((d) => d.id)).toEqual([failedNew, delivered]);
  });

  it("combines several statuses, destinations, HTTP classes, a voiceId and an event type, as the console does", async () => {
    const a = `dst_a_${crypto.randomUUID()}`;
    const b = `dst_b_${crypto.randomUUID()}`;
    const t = Date.UTC(2020, 2, 1);
    const failedA = await insertDelivery(a, "failed", t);
    const retryingB = await insertDelivery(b, "retrying", t + 1);
    await insertDelivery(b, "delivered", t + 2);
    await insertDelivery(`dst_c_${crypto.randomUUID()}`, "failed", t + 3);
    await env.DB.batch([
      env.DB.prepare("UPDATE deliveries SET last_status_code = 503 WHERE id = ?").bind(failedA),
      env.DB.prepare("UPDATE deliveries SET last_status_code = 429 WHERE id = ?").bind(retryingB),
    ]);
    const both = `destinationId=${a},${b}`;
    expect((await list(`${both}&status=failed,retrying`)).data.map((d) => d.id)).toEqual([retryingB, failedA]);
    expect((await list(`${both}&httpClass=5xx`)).data.map((d) => d.id)).toEqual([failedA]);
    expect((await list(`${both}&httpClass=4xx,5xx&status=retrying`)).data.map((d) => d.id)).toEqual([retryingB]);
    const [one] = (await list(`${both}&status=failed`)).data;
    expect((await list(`${both}&voiceId=${one?.voiceId}`)).data.map((d) => d.id)).toEqual([failedA]);
    expect((await list(`${both}&eventType=call.reported&status=failed`)).data.map((d) => d.id)).toEqual([failedA]);
    expect((await list(`${both}&eventType=storage.high`)).data).toEqual([]);
    expect((await admin(`/deliveries?httpClass=7xx`)).status).toBe(400);
  });

  it("pages with a cursor in a stable order, also across equal creation times", async () => {
    const destinationId = `dst_page_${crypto.randomUUID()}`;
    const t = Date.UTC(2021, 5, 1);
    const ids = [
      await insertDelivery(destinationId, "delivered", t),
      await insertDelivery(destinationId, "delivered", t),
      await insertDelivery(destinationId, "delivered", t),
      await insertDelivery(destinationId, "failed", t + 1),
      await insertDelivery(destinationId, "failed", t - 1),
    ];
    const expected = [ids[3], ...ids.slice(0, 3).sort().reverse(), ids[4]];
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(
        `destinationId=${destinationId}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });
});

describe("POST /deliveries/{id}/retry", () => {
  it("sends a failed delivery again from attempt 0 once its destination is enabled, keeping its attempt log", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    receiver.answer(() =>
      receiver.to(url).length === 1 ? new Response("gone", { status: 410 }) : new Response("welcome back"),
    );
    const dest = await createDestination({ type: "webhook", config: { url } });
    const r = record();
    await push({ array: [r] });
    const failed = await waitForStatus(dest.id, r.voiceId, "failed");

    const refused = await admin(`/deliveries/${failed.id}/retry`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: "conflict", message: expect.stringContaining(`Destination ${dest.id} is disabled`) },
    });

    expect((await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { enabled: true } })).status).toBe(200);
    const res = await admin(`/deliveries/${failed.id}/retry`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: failed.id, status: "pending", attempts: 0 });

    await waitForStatus(dest.id, r.voiceId, "delivered");
    const detail = await admin(`/deliveries/${failed.id}`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({
      id: failed.id,
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      attemptLog: [
        { statusCode: 410, outcome: "failed", error: expect.stringContaining("410"), responseBody: "gone" },
        { statusCode: 200, outcome: "delivered", error: null, responseBody: "welcome back", attemptedAt: isoTime },
      ],
    });
    expect(receiver.to(url)).toHaveLength(2);
  });

  it("sends a paused delivery whose destination is enabled", async () => {
    const receiver = installReceiver();
    const url = hookUrl();
    const dest = await createDestination({ type: "webhook", config: { url }, enabled: false });
    const r = record();
    await push({ array: [r] });
    const [paused] = await deliveriesOf(dest.id, r.voiceId);
    expect(paused?.status).toBe("paused");
    await env.DB.prepare("UPDATE destinations SET enabled = 1 WHERE id = ?").bind(dest.id).run();

    const res = await admin(`/deliveries/${paused?.id}/retry`, { method: "POST" });
    expect(res.status).toBe(200);
    await waitForStatus(dest.id, r.voiceId, "delivered");
    expect(receiver.to(url)).toHaveLength(1);
  });
});
