import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { ingestQueued } from "../../src/pipeline/ingest/queued";
import { hookUrl, installReceiver } from "../support/receiver";
import { BASE, createDestination, deliveriesOf, PUSH_TOKEN, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const unavailable = () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
const statement = { bind: () => statement, all: unavailable, run: unavailable, first: unavailable, raw: unavailable };
/** A D1 binding that fails every query, as D1 does while it is unavailable. */
const downD1 = { prepare: () => statement, batch: unavailable, exec: unavailable } as unknown as D1Database;
const r2Down = () => Promise.reject(new Error("R2 unavailable"));
/** An R2 binding that fails every operation. */
const downR2 = { put: r2Down, get: r2Down, head: r2Down, delete: r2Down, list: r2Down } as unknown as R2Bucket;
const downQueue = { send: r2Down, sendBatch: r2Down } as unknown as Queue;

/** POSTs a push through the real Worker with some of its bindings replaced. */
async function pushWith(bindings: Partial<Env>, body: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/push/${PUSH_TOKEN}`, { method: "POST", body: JSON.stringify(body) }),
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function runCron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const count = async (sql: string, ...params: unknown[]) => (await rows<{ n: number }>(sql, ...params))[0]?.n;
const stored = async (pushId: string, voiceId: string) => [
  await count("SELECT count(*) AS n FROM pushes WHERE id = ?", pushId),
  await count("SELECT count(*) AS n FROM calls WHERE voice_id = ? AND push_id = ?", voiceId, pushId),
];

async function waitFor(check: () => Promise<boolean>, timeout = 10_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeout) throw new Error(`not done in ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a push while D1 is unavailable", () => {
  it("answers 200 queued once the archive holds it, then stores it once, with its deliveries", async () => {
    const receiver = installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const good = record();
    const bad = { ...record(), answerTime: "yesterday" };

    const res = await pushWith({ DB: downD1 }, { array: [good, bad] });
    expect(res.status).toBe(200);
    const body = await res.json<{ pushId: string }>();
    expect(body).toEqual({
      ok: true,
      queued: true,
      pushId: expect.stringMatching(/^psh_/),
      accepted: 1,
      rejected: [{ index: 1, voiceId: bad.voiceId, error: expect.stringMatching(/^answerTime: /) }],
    });

    await waitFor(async () => (await stored(body.pushId, good.voiceId)).every((n) => n === 1));
    const delivered = await waitForStatus(dest.id, good.voiceId, "delivered");
    expect(receiver.received.filter((r) => r.body.includes(good.voiceId))).toHaveLength(1);
    const [log] = await rows("SELECT status, accepted, rejected_count FROM pushes WHERE id = ?", body.pushId);
    expect(log).toEqual({ status: "stored", accepted: 1, rejected_count: 1 });
    await waitFor(async () => (await env.ARCHIVE.head(`queued/${body.pushId}`)) === null);

    await runCron(Date.now() + 120_000);
    await ingestQueued(env, {
      pushId: body.pushId,
      key: `raw/${new Date().toISOString().slice(0, 10)}/${body.pushId}.json.gz`,
    });
    expect(await stored(body.pushId, good.voiceId)).toEqual([1, 1]);
    expect(await deliveriesOf(dest.id, good.voiceId)).toEqual([expect.objectContaining({ id: delivered.id })]);
  });

  it("is stored by the cron sweep once when its queue message was lost, however often the sweep runs", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const r = record();
    const res = await pushWith({ DB: downD1, INGEST_QUEUE: downQueue }, { array: [r] });
    expect(res.status).toBe(200);
    const { pushId, queued } = await res.json<{ pushId: string; queued: boolean }>();
    expect(queued).toBe(true);
    expect(await stored(pushId, r.voiceId)).toEqual([0, 0]);

    await runCron(Date.now());
    expect(await stored(pushId, r.voiceId)).toEqual([0, 0]);
    await runCron(Date.now() + 120_000);
    expect(await stored(pushId, r.voiceId)).toEqual([1, 1]);
    await runCron(Date.now() + 180_000);
    expect(await stored(pushId, r.voiceId)).toEqual([1, 1]);
    await waitForStatus(dest.id, r.voiceId, "delivered");
    expect(await deliveriesOf(dest.id, r.voiceId)).toHaveLength(1);
  });

  it("answers 503 and stores nothing when neither D1 nor the archive takes it", async () => {
    const r = record();
    const pushesBefore = await count("SELECT count(*) AS n FROM pushes");
    const queuedBefore = (await env.ARCHIVE.list({ prefix: "queued/" })).objects.length;
    const res = await pushWith({ DB: downD1, ARCHIVE: downR2 }, { array: [r] });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: "storage_unavailable", message: "Storage is unavailable; nothing was stored. Retry later." },
    });
    await runCron(Date.now() + 120_000);
    expect(await count("SELECT count(*) AS n FROM pushes")).toBe(pushesBefore);
    expect(await count("SELECT count(*) AS n FROM calls WHERE voice_id = ?", r.voiceId)).toBe(0);
    expect((await env.ARCHIVE.list({ prefix: "queued/" })).objects).toHaveLength(queuedBefore);
  });

  it("answers 503 when the archive took the body but neither its marker nor its message could be kept", async () => {
    const r = record();
    const archive = env.ARCHIVE;
    const markersFail = {
      put: (key: string, value: ArrayBuffer, options?: R2PutOptions) =>
        key.startsWith("queued/") ? r2Down() : archive.put(key, value, options),
    } as unknown as R2Bucket;
    const res = await pushWith({ DB: downD1, ARCHIVE: markersFail, INGEST_QUEUE: downQueue }, { array: [r] });
    expect(res.status).toBe(503);
    await runCron(Date.now() + 120_000);
    expect(await count("SELECT count(*) AS n FROM calls WHERE voice_id = ?", r.voiceId)).toBe(0);
  });
});

describe("a push whose deliveries are planned again when D1 fails", () => {
  it("gets its deliveries from the queued ingest, though its calls were stored", async () => {
    const receiver = installReceiver();
    expect((await pushWith({}, { array: [record()] })).status).toBe(200);
    const late = record();
    const url = hookUrl("replanned");
    const dest = await createDestination({ type: "webhook", config: { url }, filter: { voiceId: late.voiceId } });

    let batches = 0;
    const failsAfterFirstBatch = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "batch") {
          return (statements: D1PreparedStatement[]) => (++batches > 1 ? unavailable() : target.batch(statements));
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const res = await pushWith({ DB: failsAfterFirstBatch }, { array: [late] });
    expect(res.status).toBe(200);
    const body = await res.json<{ pushId: string; queued: boolean }>();
    expect(body.queued).toBe(true);
    expect(batches).toBeGreaterThan(1);
    expect(await stored(body.pushId, late.voiceId)).toEqual([1, 1]);

    await waitForStatus(dest.id, late.voiceId, "delivered");
    expect(receiver.to(url)).toHaveLength(1);
    expect(await deliveriesOf(dest.id, late.voiceId)).toHaveLength(1);
  });
});

describe("admin reads while D1 is unavailable", () => {
  it.each(["/calls", "/pushes", "/deliveries", "/destinations", "/sources"])("GET %s answers 503", async (path) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/api/v1${path}`, { headers: { authorization: "Bearer test-admin-token" } }),
      { ...env, DB: downD1 },
      ctx,
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: "storage_unavailable", message: "Storage is unavailable. Retry later." },
    });
  });
});
