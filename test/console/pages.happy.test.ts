import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { BASE, createDestination, push, record, rows } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

const html = async (path: string, extraCookie = "") => {
  const res = await page(path, { cookie: `${cookie}${extraCookie}` });
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/html");
  return res.text();
};

describe("console pages", () => {
  it.each(["/", "/calls", "/destinations", "/destinations/new", "/deliveries", "/sources", "/pushes", "/audit"])(
    "renders %s with every control labelled",
    async (path) => {
      const text = await html(path);
      expect(text).toContain('<link rel="stylesheet" href="/console/console.css"/>');
      expect(text).toContain('<script src="/console/console.js" defer=""></script>');
      for (const [, id] of text.matchAll(/<(?:input|select|textarea)[^>]*\sid="([^"]+)"/g)) {
        expect(text, `label for #${id} on ${path}`).toContain(`for="${id}"`);
      }
    },
  );

  it("finds a pushed call by voiceId, shows its fields, record and deliveries, and exports the search as CSV", async () => {
    installReceiver();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    const call = record({ taskId: 424242 });
    expect((await push({ array: [call] })).status).toBe(200);
    const list = await html(`/calls?voiceId=${call.voiceId}`);
    expect(list).toContain(call.voiceId);
    const detail = await html(`/calls/src_default/${call.voiceId}`);
    expect(detail).toContain("callDuration");
    expect(detail).toContain("Record as received");
    expect(detail).toContain(dest.id);
    const csv = await page(`/calls.csv?taskId=424242`, { cookie });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^sourceId,voiceId,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(call.voiceId);
  });

  it("exports every page of a search, not just the first", async () => {
    const taskId = 900_000 + Math.floor(Math.random() * 1000);
    // No deliveries for these 230 calls: hundreds of queue messages left to failing receivers outlive the test and
    // can keep the test runner from finishing.
    await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
    expect((await push({ array: Array.from({ length: 230 }, () => record({ taskId })) })).status).toBe(200);
    const csv = await page(`/calls.csv?taskId=${taskId}`, { cookie });
    expect((await csv.text()).trim().split("\r\n")).toHaveLength(231);
  });

  it("shows a bad filter at the filter box instead of failing", async () => {
    const text = await html(`/calls?filter=${encodeURIComponent('{"nope":1}')}`);
    expect(text).toContain('role="alert"');
  });

  it("creates a destination from the form, or shows the API's messages at the field", async () => {
    const bad = await page("/destinations/new", {
      cookie,
      form: { name: "chat", type: "slack", "config.url": "ftp://x", filter: "{}" },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/field-error[^>]*id="config-url-error">/);
    const ok = await page("/destinations/new", {
      cookie,
      form: {
        name: "chat ok",
        type: "webhook",
        "config.url": hookUrl(),
        filter: '{"connected": true}',
      },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("shown only now");
    const [created] = await rows<{ id: string; filter: string }>(
      "SELECT id, filter FROM destinations WHERE name = 'chat ok'",
    );
    expect(JSON.parse(created?.filter ?? "")).toEqual({ connected: true });
    const [audit] = await rows<{ actor: string; target: string }>(
      "SELECT actor, target FROM audit_log WHERE action = 'destinations.create' ORDER BY id DESC LIMIT 1",
    );
    expect(audit).toEqual({ actor: "admin token", target: created?.id });
  });

  it("tests, disables, enables and deletes a destination from its page", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("ok from receiver", { status: 200 }));
    const dest = await createDestination({ name: "to act on", type: "webhook", config: { url: hookUrl() } });
    const tested = await page(`/destinations/${dest.id}/test`, { cookie, form: {} });
    expect(await tested.text()).toContain("ok from receiver");
    expect((await page(`/destinations/${dest.id}/disable`, { cookie, form: {} })).status).toBe(303);
    expect(await rows("SELECT enabled FROM destinations WHERE id = ?", dest.id)).toEqual([{ enabled: 0 }]);
    expect(await html("/")).toContain(`/destinations/${dest.id}`);
    expect((await page(`/destinations/${dest.id}/enable`, { cookie, form: {} })).status).toBe(303);
    expect((await page(`/destinations/${dest.id}/delete`, { cookie, form: { confirm: "wrong" } })).status).toBe(400);
    expect((await page(`/destinations/${dest.id}/delete`, { cookie, form: { confirm: "to act on" } })).status).toBe(
      303,
    );
    expect(await rows("SELECT id FROM destinations WHERE id = ?", dest.id)).toEqual([]);
    const actions = await rows<{ action: string }>(
      "SELECT action FROM audit_log WHERE target = ? ORDER BY id",
      dest.id,
    );
    expect(actions.map((a) => a.action)).toEqual([
      "destinations.create",
      "destinations.test",
      "destinations.update",
      "destinations.update",
      "destinations.delete",
    ]);
  });

  it("previews a filter on the newest calls, naming a bad one", async () => {
    const preview = (filter: unknown) =>
      exports.default.fetch(`${BASE}/filters/preview`, {
        method: "POST",
        headers: { cookie, origin: BASE, "content-type": "application/json" },
        body: JSON.stringify({ filter }),
      });
    const call = record({ taskId: 515151 });
    expect((await push({ array: [call] })).status).toBe(200);
    const ok = await preview({ voiceId: call.voiceId });
    expect(await ok.json()).toEqual({ matched: 1, sampled: expect.any(Number) });
    const bad = await preview({ nope: 1 });
    expect(bad.status).toBe(400);
  });

  it("switches to Chinese and another time zone, remembered in cookies", async () => {
    const res = await page("/settings", { cookie, form: { lang: "zh", tz: "UTC", back: "/calls" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/calls");
    const set = res.headers.getSetCookie();
    expect(set.some((c) => c.startsWith("lang=zh"))).toBe(true);
    expect(set.some((c) => c.startsWith("tz=UTC"))).toBe(true);
    const text = await html("/calls", "; lang=zh; tz=UTC");
    expect(text).toContain('lang="zh-CN"');
    expect(text).toContain("通话");
    expect(text).toContain('<option value="UTC" selected="">UTC</option>');
  });

  it("sends the sample push from the first-run checklist and opens its call", async () => {
    installReceiver();
    const res = await page("/sample-push", { cookie, form: {} });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/calls\/src_default\/sample-\d+$/);
    const detail = await html(location);
    expect(detail).toContain("Connected-Customer No Responsern");
    expect(detail).toContain(`222${"*".repeat(15)}0007`);
    expect(detail).not.toContain("2222222228613200000007");
  });
});
