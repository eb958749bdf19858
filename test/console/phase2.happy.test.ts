import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { callFieldDocs } from "../../src/model/calls/field-docs";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, push, record, rows, waitForStatus } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

const html = async (path: string) => {
  const res = await page(path, { cookie });
  expect(res.status, path).toBe(200);
  return res.text();
};

const escaped = (text: string) =>
  text.replace(/`/g, "").replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

describe("console overview (phase 2)", () => {
  it("charts calls per hour and warns of open breakers, failed deliveries and storage near its limit", async () => {
    const receiver = installReceiver();
    const refused = hookUrl("refused");
    receiver.answer(() => new Response("no such hook", { status: 410 }));
    const call = record({ submitTime: Date.now() - 1000, callTime: Date.now() });
    const failing = await createDestination({
      name: "refuses",
      type: "webhook",
      config: { url: refused },
      filter: { voiceId: call.voiceId },
    });
    expect((await push({ array: [call] })).status).toBe(200);
    await waitForStatus(failing.id, call.voiceId, "failed");
    const tripped = await createDestination({ name: "tripped", type: "webhook", config: { url: hookUrl() } });
    await env.DB.prepare("UPDATE destinations SET circuit = 'open', open_until = ? WHERE id = ?")
      .bind(Date.now() + 600_000, tripped.id)
      .run();
    await env.DB.prepare("INSERT OR REPLACE INTO storage_usage (id, bytes, measured_at) VALUES (1, ?, ?)")
      .bind(8_500_000_000, Date.now())
      .run();

    const text = await html("/");
    expect(text).toContain('aria-label="Calls per hour (today)"');
    expect(text).toMatch(/<rect[^>]*class="bar"><title>\d\d:\d\d: [1-9]\d*<\/title>/);
    expect(text).toMatch(new RegExp(`data-banner="breaker"[^]*?/destinations/${tripped.id}`));
    expect(text).toMatch(new RegExp(`data-banner="failed"[^]*?destinationId=${failing.id}`));
    expect(text).toMatch(/data-banner="storage"[^>]*>Storage nearing its limit: 85%/);
    expect(await html("/destinations")).toMatch(/data-circuit="open">open, until <time/);

    await env.DB.prepare("UPDATE storage_usage SET bytes = 1000 WHERE id = 1").run();
    expect(await html("/")).not.toContain('data-banner="storage"');
  });
});

describe("console calls (phase 2)", () => {
  it("finds a call by its last 4 digits or whole number, and names a bad number at the field", async () => {
    const digits = String(Math.floor(1e7 + Math.random() * 9e7));
    const call = record({ callee: `+86 139${digits}` });
    const other = record({ callee: "+86 13900000000" });
    expect((await push({ array: [call, other] })).status).toBe(200);
    for (const phone of [digits.slice(-4), `139 ${digits}`, `+86-139-${digits}`]) {
      const text = await html(`/calls?phone=${encodeURIComponent(phone)}`);
      expect(text, phone).toContain(call.voiceId);
      expect(text, phone).not.toContain(other.voiceId);
    }
    const bad = await html("/calls?phone=12");
    expect(bad).toMatch(/role="alert">phone: expected a phone number or its last 4 or more digits/);
  });

  it("shows each field's meaning and why the call was or was not forwarded to each destination", async () => {
    installReceiver();
    const call = record({ intentCode: "401" });
    const wants = await createDestination({ name: "wants it", type: "webhook", config: { url: hookUrl() } });
    const picky = await createDestination({
      name: "picky",
      type: "webhook",
      config: { url: hookUrl() },
      filter: { intentCode: { $in: ["302", "303"] } },
    });
    const connected = await createDestination({
      name: "connected",
      type: "webhook",
      config: { url: hookUrl() },
      filter: { $and: [{ connected: { $eq: true } }] },
    });
    expect((await push({ array: [call] })).status).toBe(200);
    const text = await html(`/calls/src_default/${call.voiceId}`);
    expect(text).toMatch(new RegExp(`/destinations/${connected.id}"[^]*?data-explain="matched">forwarded<`));
    expect(text).toContain(escaped(callFieldDocs.callee));
    expect(text).toContain(escaped(callFieldDocs.voiceId));
    expect(text).toMatch(new RegExp(`/destinations/${wants.id}"[^]*?data-explain="matched">forwarded<`));
    expect(text).toMatch(
      new RegExp(`/destinations/${picky.id}"[^]*?data-explain="not-matched">not forwarded: filter: intentCode`),
    );
  });
});

describe("console destinations (phase 2)", () => {
  it("retries all of a destination's failed deliveries, from its page and from its deliveries", async () => {
    const receiver = installReceiver();
    let up = false;
    receiver.answer(() => (up ? new Response("ok") : new Response("gone", { status: 410 })));
    const call = record();
    const dest = await createDestination({
      name: "flaky",
      type: "webhook",
      config: { url: hookUrl() },
      filter: { voiceId: call.voiceId },
    });
    expect((await push({ array: [call] })).status).toBe(200);
    await waitForStatus(dest.id, call.voiceId, "failed");
    expect(await html(`/destinations/${dest.id}`)).toContain(`action="/destinations/${dest.id}/retry"`);
    expect(await html(`/deliveries?destinationId=${dest.id}`)).toContain(`action="/destinations/${dest.id}/retry"`);
    expect((await page(`/destinations/${dest.id}/retry`, { cookie, form: {} })).status).toBe(409);

    up = true;
    expect((await page(`/destinations/${dest.id}/enable`, { cookie, form: {} })).status).toBe(303);
    const res = await page(`/destinations/${dest.id}/retry`, { cookie, form: { retried: "0" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/data-retry-complete="true">Deliveries sent again: 1\. Done\./);
    await waitForStatus(dest.id, call.voiceId, "delivered");
    const [audit] = await rows<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'destinations.retry' AND target = ?",
      dest.id,
    );
    expect(audit?.actor).toBe("admin token");
  });

  it("edits events, event options, sources and template, with the API's messages at the field", async () => {
    const dest = await createDestination({ name: "events", type: "webhook", config: { url: hookUrl() } });
    const edit = (form: Record<string, string>) => page(`/destinations/${dest.id}/edit`, { cookie, form });
    const page1 = await html(`/destinations/${dest.id}`);
    expect(page1).toContain('name="events" value="digest.daily"');
    expect(page1).toContain('name="options.silentMinutes"');

    const bad = await edit({ events: "call.reported", "options.silentMinutes": "2", "options.activeHours": "9-5" });
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(badText).toMatch(/field-error[^>]*>options\.silentMinutes: must be at least 5 minutes/);
    expect(badText).toMatch(/field-error[^>]*>options\.activeHours: must be HH:MM-HH:MM/);
    expect((await edit({ sourceIds: "src_nope" })).status).toBe(400);
    const badUrl = await edit({ events: "call.reported", "config.url": "ftp://x" });
    expect(badUrl.status).toBe(400);
    expect(await badUrl.text()).toMatch(/field-error[^>]*>config\.url: /);

    const moved = hookUrl("moved");
    const body = new URLSearchParams([
      ["config.url", moved],
      ["config.secret", ""],
      ["events", "call.reported"],
      ["events", "pushes.silent"],
      ["options.silentMinutes", "45"],
      ["options.activeHours", "09:00-21:00"],
      ["sourceIds", ""],
      ["template", '{"who": "{{callee}}"}'],
    ]);
    const ok = await page(`/destinations/${dest.id}/edit`, { cookie, form: body });
    expect(ok.status).toBe(303);
    const [row] = await rows<{ config: string; events: string; options: string; template: string }>(
      "SELECT config, events, options, template FROM destinations WHERE id = ?",
      dest.id,
    );
    expect(JSON.parse(row?.config ?? "")).toEqual({ url: moved, secret: dest.secret });
    expect(JSON.parse(row?.events ?? "")).toEqual(["call.reported", "pushes.silent"]);
    expect(JSON.parse(row?.options ?? "")).toMatchObject({ silentMinutes: 45, activeHours: "09:00-21:00" });
    expect(row?.template).toBe('{"who": "{{callee}}"}');
  });

  it("test-sends any event type and shows the receiver's answer", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("digest received", { status: 200 }));
    const url = hookUrl("digest");
    const dest = await createDestination({ name: "digest", type: "webhook", config: { url } });
    const res = await page(`/destinations/${dest.id}/test`, { cookie, form: { event: "digest.daily" } });
    const text = await res.text();
    expect(text).toContain("digest.daily");
    expect(text).toContain("digest received");
    const [sent] = receiver.to(url);
    expect(JSON.parse(sent?.body ?? "{}")).toMatchObject({ type: "digest.daily" });
  });

  it("creates a destination from its type's own fields, with the adapter's messages at the field", async () => {
    const form = await html("/destinations/new?type=telegram");
    expect(form).toContain('name="config.botToken"');
    expect(form).toContain('name="config.chatId"');
    expect(form).not.toContain('name="config.url"');
    const bad = await page("/destinations/new", {
      cookie,
      form: { name: "tg", type: "telegram", "config.botToken": "nope", "config.chatId": "-100123", filter: "{}" },
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toMatch(/field-error[^>]*>config\.botToken: must be a bot token/);
    expect(text).toContain('value="-100123"');
  });
});
