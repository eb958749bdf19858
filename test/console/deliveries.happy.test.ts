import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, push, record, rows } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

const text = async (path: string) => {
  const res = await page(path, { cookie });
  expect(res.status, path).toBe(200);
  return res.text();
};

async function waitFor(destinationId: string, voiceId: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const [row] = await rows<{ status: string }>(
      "SELECT status FROM deliveries WHERE destination_id = ? AND voice_id = ?",
      destinationId,
      voiceId,
    );
    if (row?.status === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`delivery of ${voiceId} never ${status}`);
}

describe("deliveries filtered by combined conditions kept in the URL", () => {
  it("combines statuses, destinations, HTTP class and phone; bulk retry counts first, then reports progress", async () => {
    const receiver = installReceiver();
    let up = false;
    receiver.answer((r) => (up || r.url.includes("/ok/") ? new Response("ok") : new Response("gone", { status: 410 })));
    const tag = `${Date.now()}`;
    const bad = record({ callee: `1380013${tag.slice(-4)}` });
    const good = record();
    const failing = await createDestination({
      name: `failing-${tag}`,
      type: "webhook",
      config: { url: hookUrl("bad") },
      filter: { voiceId: bad.voiceId },
    });
    const fine = await createDestination({
      name: `fine-${tag}`,
      type: "webhook",
      config: { url: hookUrl("ok") },
      filter: { voiceId: good.voiceId },
    });
    expect((await push({ array: [bad, good] })).status).toBe(200);
    await waitFor(failing.id, bad.voiceId, "failed");
    await waitFor(fine.id, good.voiceId, "delivered");

    const both = `destination=${failing.id}&destination=${fine.id}`;
    const failed = await text(`/deliveries?status=failed&status=paused&${both}&http=4xx`);
    expect(failed).toContain(bad.voiceId);
    expect(failed).not.toContain(good.voiceId);
    // The form shows the filter it came from, so a reload keeps it.
    expect(failed).toMatch(/name="status" value="failed" checked/);
    expect(failed).toMatch(/name="http" value="4xx" checked/);
    expect(failed).toContain(`<option value="${failing.id}" selected`);
    expect(await text(`/deliveries?${both}&http=2xx`)).not.toContain(bad.voiceId);
    const byPhone = await text(`/deliveries?phone=0013${tag.slice(-4)}`); // its last 8 digits
    expect(byPhone).toContain(bad.voiceId);

    // Disabled on a 410: enable it again before sending again.
    await page(`/destinations/${failing.id}/enable`, { cookie, form: {} });
    await waitFor(failing.id, bad.voiceId, "failed");
    up = true;
    const confirm = await text(`/deliveries/retry?status=failed&${both}`);
    expect(confirm).toMatch(/data-retry-count="1">1 deliveries will be sent again\./);
    const res = await page("/deliveries/retry", {
      cookie,
      form: { query: `status=failed&${both}`, total: "1" },
    });
    const progress = await res.text();
    expect(progress).toMatch(/<progress max="1" value="1"/);
    expect(progress).toMatch(/data-retry-complete="(true|false)">Sent again: 1 of 1\./);
    await waitFor(failing.id, bad.voiceId, "delivered");
    const [audit] = await rows<{ target: string }>(
      "SELECT target FROM audit_log WHERE action = 'deliveries.bulk-retry' ORDER BY id DESC LIMIT 1",
    );
    expect(audit?.target).toBe(`status=failed&${both}`);
  });

  it("says what it ignored in a hand-edited link, and still shows the page", async () => {
    const shown = await text("/deliveries?status=bogus&http=7xx&since=yesterday");
    expect(shown).toContain("Ignored in the link");
    expect(shown).toContain("status: unknown value &quot;bogus&quot;");
  });
});

describe("calls filtered by several intents, kept in the URL", () => {
  it("shows calls of any of the intents asked for, and the form keeps them", async () => {
    const taskId = 880_000 + Math.floor(Math.random() * 1000);
    const [a, b, c] = [
      record({ taskId, intentCode: "302" }),
      record({ taskId, intentCode: "303" }),
      record({ taskId, intentCode: "101" }),
    ];
    expect((await push({ array: [a, b, c] })).status).toBe(200);
    const shown = await text(`/calls?taskId=${taskId}&intentCode=302&intentCode=303`);
    expect(shown).toContain(a.voiceId);
    expect(shown).toContain(b.voiceId);
    expect(shown).not.toContain(c.voiceId);
    expect(shown).toContain('name="intentCode" value="302, 303"');
    const typed = await text(`/calls?taskId=${taskId}&intentCode=${encodeURIComponent("302, 303")}`);
    expect(typed).toContain(b.voiceId);
    expect(typed).not.toContain(c.voiceId);
  });
});
