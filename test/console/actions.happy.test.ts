import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, push, record, rows } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

const auditOf = (target: string) =>
  rows<{ action: string; actor: string }>("SELECT action, actor FROM audit_log WHERE target = ? ORDER BY id", target);

describe("console actions", () => {
  it("creates a source showing its push URL once, rotates its token and deletes it, each confirmed", async () => {
    const name = `console-${crypto.randomUUID()}`;
    const created = await page("/sources/new", { cookie, form: { name } });
    const text = await created.text();
    const url = /value="(https:\/\/relay\.test\/push\/[a-z2-7]+)"/.exec(text)?.[1];
    expect(url).toBeDefined();
    expect((await push({ array: [record()] }, { token: url?.split("/").at(-1) })).status).toBe(200);
    const [source] = await rows<{ id: string }>("SELECT id FROM sources WHERE name = ?", name);
    const id = source?.id ?? "";
    expect((await page("/sources", { cookie })).status).toBe(200);
    expect(await (await page("/sources", { cookie })).text()).not.toContain(url);
    expect((await page(`/sources/${id}/rotate-token`, { cookie, form: {} })).status).toBe(400);
    const rotated = await page(`/sources/${id}/rotate-token`, { cookie, form: { confirm: "yes" } });
    expect(await rotated.text()).toContain("/push/");
    expect((await push({ array: [record()] }, { token: url?.split("/").at(-1) })).status).toBe(401);
    expect((await page(`/sources/${id}/delete`, { cookie, form: { confirm: "yes" } })).status).toBe(303);
    expect(await rows("SELECT id FROM sources WHERE id = ?", id)).toEqual([]);
    expect((await auditOf(id)).map((a) => a.action)).toEqual([
      "sources.create",
      "sources.rotate-token",
      "sources.delete",
    ]);
  });

  it("shows a push with its rejected records and reprocesses it", async () => {
    const good = record();
    expect((await push({ array: [good, { callee: "no voiceId" }] })).status).toBe(200);
    const [logged] = await rows<{ id: string }>(
      "SELECT id FROM pushes WHERE rejected_count = 1 ORDER BY received_at DESC LIMIT 1",
    );
    const id = logged?.id ?? "";
    const detail = await (await page(`/pushes/${id}`, { cookie })).text();
    expect(detail).toContain("voiceId");
    const res = await page(`/pushes/${id}/reprocess`, { cookie, form: {} });
    expect(res.status).toBe(303);
    const again = await rows("SELECT id FROM pushes WHERE reprocessed_from = ?", id);
    expect(again).toHaveLength(1);
    expect((await auditOf(id)).map((a) => a.action)).toEqual(["pushes.reprocess"]);
  });

  it("rotates a webhook's secret, showing it once, and replays a window in chunks with progress", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() }, enabled: false });
    const rotated = await (await page(`/destinations/${dest.id}/rotate-secret`, { cookie, form: {} })).text();
    expect(rotated).toMatch(/whsec_[A-Za-z0-9+/=]+/);
    expect(await (await page(`/destinations/${dest.id}`, { cookie })).text()).not.toContain("whsec_");
    expect((await push({ array: [record()] })).status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const replay = await page(`/destinations/${dest.id}/replay`, { cookie, form: { since: today, until: today } });
    const text = await replay.text();
    expect(text).toContain('data-replay-complete="true"');
    const [paused] = await rows<{ n: number }>(
      "SELECT count(*) AS n FROM deliveries WHERE destination_id = ?",
      dest.id,
    );
    expect(paused?.n).toBeGreaterThan(0);
    expect((await auditOf(dest.id)).map((a) => a.action)).toEqual([
      "destinations.create",
      "destinations.rotate-secret",
      "destinations.replay",
    ]);
  });

  it("retries a failed delivery from the deliveries page", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("gone", { status: 410 }));
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const call = record();
    expect((await push({ array: [call] })).status).toBe(200);
    let delivery: { id: string; status: string } | undefined;
    for (let i = 0; i < 100 && delivery?.status !== "failed"; i++) {
      [delivery] = await rows<{ id: string; status: string }>(
        "SELECT id, status FROM deliveries WHERE destination_id = ?",
        dest.id,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(delivery?.status).toBe("failed");
    await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { enabled: true } });
    receiver.answer(() => new Response("ok", { status: 200 }));
    const list = await (await page(`/deliveries?destination=${dest.id}`, { cookie })).text();
    expect(list).toContain(`/deliveries/${delivery?.id}/retry`);
    expect((await page(`/deliveries/${delivery?.id}/retry`, { cookie, form: {} })).status).toBe(303);
    expect((await auditOf(delivery?.id ?? "")).map((a) => a.action)).toEqual(["deliveries.retry"]);
  });

  it("shows an action's refusal as a page, not JSON", async () => {
    const res = await page("/destinations/dst_nope/test", { cookie, form: {} });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("No destination dst_nope");
  });
});
