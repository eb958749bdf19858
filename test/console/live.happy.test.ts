import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { encodeCursor } from "../../src/lib/cursor";
import { getDb } from "../../src/storage/db/client";
import { tailQueries } from "../../src/storage/tail";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, push, record, rows, waitForStatus } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

const live = { "x-live": "1" };

async function get(path: string, headers: Record<string, string> = {}, who = cookie) {
  const res = await page(path, { cookie: who, headers });
  expect(res.status, path).toBe(200);
  return { res, html: await res.text() };
}

/** A destination with one delivered call, and that call. */
async function deliveredCall(tag: string) {
  const receiver = installReceiver();
  receiver.answer(() => new Response("ok"));
  const call = record();
  const dest = await createDestination({
    name: `live-${tag}-${call.voiceId}`,
    type: "webhook",
    config: { url: hookUrl() },
    filter: { voiceId: call.voiceId },
  });
  expect((await push({ array: [call] })).status).toBe(200);
  await waitForStatus(dest.id, call.voiceId, "delivered");
  return { dest, call };
}

describe("live pages: each page says when it was read and names the URL its script refreshes", () => {
  it("overview, deliveries (filters kept) and a destination's page carry the live status and Server-Timing", async () => {
    const { dest } = await deliveredCall("status");
    for (const [path, src] of [
      ["/", "/"],
      [
        `/deliveries?status=delivered&destination=${dest.id}`,
        `/deliveries?status=delivered&amp;destination=${dest.id}`,
      ],
      [`/destinations/${dest.id}?range=7d`, `/destinations/${dest.id}?range=7d`],
    ] as const) {
      const { res, html } = await get(path);
      expect(html, path).toContain(`data-live-src="${src}"`);
      expect(html, path).toMatch(/<span data-live-said="true">Shown at <time datetime="/);
      expect(html, path).toContain('data-refreshed="Refreshed {ago}"');
      // The switch only works with script: hidden until the script shows it.
      expect(html, path).toMatch(/<label class="check" data-live-toggle="true" hidden="">/);
      expect(html, path).toContain('<script src="/console/console.js"');
      expect(res.headers.get("server-timing"), path).toMatch(/^total;dur=[\d.]+/);
    }
  });

  it("a live request gets the page's live parts only, uncached, in the viewer's language", async () => {
    const { dest, call } = await deliveredCall("parts");
    const { res, html } = await get(`/deliveries?destination=${dest.id}`, live);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("vary")).toContain("x-live");
    expect(html.startsWith('<div data-live="deliveries">'), html.slice(0, 80)).toBe(true);
    expect(html).not.toContain("<html");
    expect(html).not.toContain('method="get" action="/deliveries"'); // the filter form stays as the user left it
    expect(html).toContain(`<tr data-key="dlv_`);
    expect(html).toContain(call.voiceId);
    expect(html).toContain(">delivered<");

    const zh = `${cookie}; lang=zh`;
    const other = await get(`/deliveries?destination=${dest.id}&status=failed`, live, zh);
    expect(other.html).not.toContain(call.voiceId); // the URL's filter applies to the refresh too
    expect(other.html).toContain("状态");

    const overview = await get("/", live, zh);
    expect(overview.html.startsWith('<div data-live="overview">')).toBe(true);
    expect(overview.html).toContain("今天");

    const destination = await get(`/destinations/${dest.id}`, live);
    for (const part of ["destination-state", "destination-health", "destination-recent"]) {
      expect(destination.html).toContain(`data-live="${part}"`);
    }
    expect(destination.html).toMatch(/data-delivered="1">1</);
    expect(destination.html).toMatch(/data-success-rate="100">100%/);
    expect(destination.html).not.toContain('action="/destinations/'.concat(dest.id, '/filter"')); // forms stay
  });
});

describe("the tail: pushes and deliveries as they arrive", () => {
  it("shows the newest of each, then a refresh reads only what came after its cursor", async () => {
    const first = await deliveredCall("tail-1");
    const { html } = await get("/tail");
    expect(html).toContain('data-live="tail-pushes"');
    expect(html).toContain('data-live="tail-deliveries"');
    expect(html).toContain(first.call.voiceId);
    const next = html.match(/data-live-src="(\/tail\?after=[\w-]+)"/)?.[1];
    expect(next).toBeDefined();

    const nothing = await get(next as string, live);
    expect(nothing.html).not.toContain(first.call.voiceId);
    expect(nothing.html).not.toContain("<tr data-key=");
    expect(nothing.res.headers.get("x-live-next")).toBe(next);

    const second = await deliveredCall("tail-2");
    const fresh = await get(next as string, live);
    expect(fresh.html).toContain(second.call.voiceId);
    expect(fresh.html).not.toContain(first.call.voiceId);
    expect(fresh.html).toMatch(/<tr data-key="psh_/);
    expect(fresh.res.headers.get("x-live-next")).not.toBe(next);

    const zh = await get("/tail", {}, `${cookie}; lang=zh`);
    expect(zh.html).toContain("<h1>实时</h1>");
  });

  it("reads a rowid range of each table, newest first, without an index and without a scan", async () => {
    const steps = async (query: { sql: string; params: unknown[] }) =>
      (await rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`, ...query.params)).map((s) => s.detail);
    const [pushes, deliveries] = tailQueries(getDb(env.DB), { p: 10, d: 20 });
    const pushPlan = await steps(pushes.toSQL());
    expect(pushPlan.join("\n")).toMatch(/^SEARCH pushes USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
    const deliveryPlan = (await steps(deliveries.toSQL())).join("\n");
    expect(deliveryPlan).toMatch(/SEARCH deliveries USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(deliveryPlan).toMatch(/SEARCH destinations USING INDEX sqlite_autoindex_destinations_1 \(id=\?\)/);
    expect(deliveryPlan).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it("takes a cursor it did not make as a fresh start", async () => {
    const { call } = await deliveredCall("tail-3");
    for (const after of ["nonsense", encodeCursor({ p: -1, d: 0 }), encodeCursor({ x: 1 })]) {
      const { html } = await get(`/tail?after=${after}`, live);
      expect(html, after).toContain(call.voiceId);
    }
  });
});
