import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { adminApp } from "../../src/http/admin/app";
import { MAX_SCANNED_CALLS } from "../../src/model/filters/scan";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, allPages, createDestination, push, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

type Call = Record<string, unknown> & { voiceId: string; sourceId: string; receivedAt: number };

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);

async function pushRecords(records: Record<string, unknown>[]) {
  const res = await push({ array: records });
  expect(res.status).toBe(200);
  return res.json<{ pushId: string; accepted: number }>();
}

describe("GET /calls pagination", () => {
  const taskId = uniqueTaskId();
  const batch = Array.from({ length: 1000 }, (_, i) => record({ taskId, callDuration: i }));

  beforeAll(async () => {
    expect((await pushRecords(batch)).accepted).toBe(1000);
  });

  it("pages through 1,000 calls of one push, newest first, without a gap or a repeat", async () => {
    const pages = await allPages<Call>(`/calls?taskId=${taskId}&limit=200`);
    expect(pages.map((p) => p.data.length)).toEqual([200, 200, 200, 200, 200]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    const seen = pages.flatMap((p) => p.data.map((c) => c.voiceId));
    expect(seen).toEqual(batch.map((r) => r.voiceId).reverse());
  });

  it("pages through the calls a filter expression matches, without a gap or a repeat", async () => {
    const filter = JSON.stringify({ taskId, callDuration: { $gte: 500 } });
    const pages = await allPages<Call>(`/calls?limit=200&filter=${encodeURIComponent(filter)}`);
    expect(pages.map((p) => p.data.length)).toEqual([200, 200, 100]);
    const seen = pages.flatMap((p) => p.data.map((c) => c.voiceId));
    expect(seen).toEqual(
      batch
        .filter((r) => (r.callDuration as number) >= 500)
        .map((r) => r.voiceId)
        .reverse(),
    );
  });

  it("uses the default page size of 50", async () => {
    const res = await admin(`/calls?taskId=${taskId}`);
    const page = await res.json<{ data: Call[]; nextCursor: string | null }>();
    expect(page.data).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it(`ends a filtered page early after reading ${MAX_SCANNED_CALLS} calls, with a cursor to go on`, async () => {
    const sparseTask = uniqueTaskId();
    const wanted = [record({ taskId: sparseTask }), record({ taskId: sparseTask })];
    await pushRecords(wanted);
    for (let n = 0; n < MAX_SCANNED_CALLS; n += 1000) {
      await pushRecords(Array.from({ length: 1000 }, () => record()));
    }
    const filter = encodeURIComponent(JSON.stringify({ taskId: sparseTask }));
    const pages = await allPages<Call>(`/calls?limit=10&filter=${filter}`);
    expect(pages[0]?.data).toEqual([]);
    expect(pages[0]?.nextCursor).toEqual(expect.any(String));
    expect(pages.flatMap((p) => p.data.map((c) => c.voiceId))).toEqual(wanted.map((r) => r.voiceId).reverse());
    // The same with fields alone (compared in D1 over the window): the same pages, the same bound.
    const byField = await allPages<Call>(`/calls?limit=10&taskId=${sparseTask}`);
    expect(byField.map((p) => p.data.length)).toEqual(pages.map((p) => p.data.length));
    expect(byField.flatMap((p) => p.data)).toEqual(pages.flatMap((p) => p.data));
    const one = await allPages<Call>(`/calls?limit=1&taskId=${sparseTask}`);
    expect(one.flatMap((p) => p.data.map((c) => c.voiceId))).toEqual(wanted.map((r) => r.voiceId).reverse());
  });
});

describe("GET /calls parameters", () => {
  const taskId = uniqueTaskId();
  const connected = record({ taskId, intentCode: "302", callStatusNew: 1 });
  const missed = record({ taskId, intentCode: "301", callStatusNew: 3, answerTime: null });
  const later = record({ taskId, intentCode: "302", callStatusNew: 3 });
  let laterReceivedAt = 0;

  beforeAll(async () => {
    await pushRecords([connected, missed]);
    await new Promise((r) => setTimeout(r, 5));
    const { pushId } = await pushRecords([later]);
    const [row] = await rows<{ received_at: number }>("SELECT received_at FROM pushes WHERE id = ?", pushId);
    laterReceivedAt = row?.received_at ?? 0;
  });

  async function voiceIds(query: string) {
    const res = await admin(`/calls?taskId=${taskId}&${query}`);
    expect(res.status).toBe(200);
    return (await res.json<{ data: Call[] }>()).data.map((c) => c.voiceId);
  }

  it.each([
    ["connected=true", () => [connected]],
    ["connected=false", () => [later, missed]],
    ["intentCode=302", () => [later, connected]],
    ["intentCode=302&connected=false", () => [later]],
    ["sourceId=src_default", () => [later, missed, connected]],
    ["sourceId=src_other", () => []],
  ])("applies %s", async (query, expected) => {
    expect(await voiceIds(query)).toEqual(expected().map((r) => r.voiceId));
  });

  it("applies since and until on receivedAt with timeField=receivedAt, as epoch ms or ISO 8601", async () => {
    const iso = new Date(laterReceivedAt).toISOString();
    const on = "timeField=receivedAt";
    expect(await voiceIds(`${on}&since=${laterReceivedAt}`)).toEqual([later.voiceId]);
    expect(await voiceIds(`${on}&since=${iso}`)).toEqual([later.voiceId]);
    expect(await voiceIds(`${on}&until=${encodeURIComponent(iso)}`)).toEqual([missed.voiceId, connected.voiceId]);
    expect(await voiceIds(`${on}&since=${laterReceivedAt - 1}&until=${laterReceivedAt + 1}`)).toEqual([later.voiceId]);
  });

  it("answers the normalized call", async () => {
    const res = await admin(`/calls?taskId=${taskId}&connected=true`);
    const [call] = (await res.json<{ data: Call[] }>()).data;
    expect(call).toEqual({
      voiceId: connected.voiceId,
      type: 1,
      callee: connected.callee,
      displayNum: connected.displayNum,
      submitTime: connected.submitTime,
      callTime: connected.callTime,
      ringingTime: connected.ringingTime,
      answerTime: connected.answerTime,
      hangupTime: connected.hangupTime,
      billPeriod: "60-60",
      code: null,
      recordingFileId: connected.recordingFileId,
      recordingFileUrl: null,
      ringDuration: 1,
      callDuration: 35,
      chargedDuration: 60,
      currency: null,
      quoteExchange: null,
      rate: "0",
      cost: "0",
      costEur: "0",
      settleRate: null,
      settlePay: null,
      aiAgentChargedDuration: 60,
      aiAgentBillPeriod: "60+60",
      aiAgentRate: null,
      aiAgentFee: null,
      aiAgentQuoteRate: "0.1",
      aiAgentQuoteFee: "0.1",
      terminationCode: "0",
      terminationReason: "Called hang up",
      sipCode: "200",
      calledInfo: null,
      scriptId: 63,
      intent: connected.intent,
      intentCode: "302",
      taskId,
      sourceTaskId: null,
      callStatus: 50,
      callStatusNew: 1,
      callDescription: 1,
      connected: true,
      callStatusLabel: "connected",
      callDescriptionLabel: "valid_call",
      sourceId: "src_default",
      receivedAt: expect.any(Number),
    });
  });
});

describe("GET /calls/:sourceId/:voiceId", () => {
  it("answers the call, its raw record, and its deliveries with every attempt", async () => {
    const receiver = installReceiver();
    receiver.answer((_, i) => (i === 0 ? new Response("busy", { status: 503 }) : new Response("thanks")));
    const taskId = uniqueTaskId();
    const url = hookUrl();
    const dest = await createDestination({ name: "crm", type: "webhook", config: { url }, filter: { taskId } });
    const r = record({ taskId, emotion: "happy" });
    const { pushId } = await pushRecords([r]);
    await waitForStatus(dest.id, r.voiceId, "delivered");

    const res = await admin(`/calls/src_default/${r.voiceId}`);
    expect(res.status).toBe(200);
    const call = await res.json<Record<string, unknown>>();
    expect(call).toMatchObject({ voiceId: r.voiceId, sourceId: "src_default", taskId, connected: true, pushId });
    expect(call.raw).toEqual(r);
    expect(call.createdAt).toBe(new Date(call.receivedAt as number).toISOString());
    expect(call.updatedAt).toBe(call.createdAt);
    expect(call.deliveries).toEqual([
      expect.objectContaining({
        destinationId: dest.id,
        destinationName: "crm",
        status: "delivered",
        attempts: 2,
        lastStatusCode: 200,
        attemptLog: [
          expect.objectContaining({ statusCode: 503, outcome: "retry", responseBody: "busy" }),
          expect.objectContaining({ statusCode: 200, outcome: "delivered", error: null, responseBody: "thanks" }),
        ],
      }),
    ]);
  });

  it("answers a call without deliveries with an empty list", async () => {
    const r = record();
    await pushRecords([r]);
    const call = await (await admin(`/calls/src_default/${r.voiceId}`)).json<Record<string, unknown>>();
    expect(call.deliveries).toEqual([]);
  });
});

describe("OpenAPI document", () => {
  it("documents the calls routes", () => {
    const doc = adminApp.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(Object.keys(doc.paths ?? {})).toEqual(expect.arrayContaining(["/calls", "/calls/{sourceId}/{voiceId}"]));
    const params = doc.paths?.["/calls"]?.get?.parameters?.map((p) => ("name" in p ? p.name : ""));
    expect(params).toEqual(
      expect.arrayContaining([
        "connected",
        "intentCode",
        "taskId",
        "sourceId",
        "since",
        "until",
        "timeField",
        "timezone",
        "callee",
        "filter",
        "limit",
        "cursor",
      ]),
    );
  });
});
