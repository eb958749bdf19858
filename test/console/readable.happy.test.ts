import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { push, record, rows } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
  // No deliveries: this file reads pages only.
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
});

const html = async (path: string, extra = "") => {
  const res = await page(path, { cookie: `${cookie}${extra}` });
  expect(res.status, path).toBe(200);
  return res.text();
};

/** The page's visible text: markup, attributes, script-free. */
const visible = (text: string) => text.replace(/<[^>]+>/g, " ");

describe("a call's page reads as a person reads it", () => {
  it("groups the fields, shows times in the zone, durations as m:ss, amounts with currency, the callee masked", async () => {
    const call = record({ callDuration: 65, callee: "13800138000", currency: null, aiAgentQuoteFee: "0.1" });
    expect((await push({ array: [call] })).status).toBe(200);
    const text = await html(`/calls/src_default/${call.voiceId}`, "; tz=Asia/Shanghai");
    const shown = visible(text.slice(0, text.indexOf('id="raw"')));
    for (const group of ["Outcome", "Timing", "Cost", "Campaign", "Record as received"])
      expect(visible(text)).toContain(group);
    expect(shown).not.toMatch(/\b1\d{12}\b/); // no epoch milliseconds anywhere a person reads
    expect(shown).toContain("2026-03-26 15:22:24"); // submitTime 1774509744963 in Asia/Shanghai
    expect(text).toMatch(/<time datetime="2026-03-26T07:22:24\.963Z" title="[^"]+ ago">/);
    expect(shown).toContain("1:05");
    expect(shown).toContain("0.1 USD");
    expect(shown).toContain("Talk time");
    expect(shown).toContain("138****8000");
    expect(visible(text)).not.toContain("13800138000");
  });

  it("reveals the callee only on request, and records who did", async () => {
    const call = record({ callee: "13900139000" });
    expect((await push({ array: [call] })).status).toBe(200);
    const res = await page(`/calls/src_default/${call.voiceId}/reveal`, { cookie, form: {} });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("13900139000");
    const [entry] = await rows<{ actor: string; target: string }>(
      "SELECT actor, target FROM audit_log WHERE action = 'calls.reveal' ORDER BY id DESC LIMIT 1",
    );
    expect(entry?.target).toBe(`src_default/${call.voiceId}`);
    expect(entry?.actor).toBe("admin token");
  });

  it("explains every field in Chinese on the Chinese page", async () => {
    const call = record();
    expect((await push({ array: [call] })).status).toBe(200);
    const shown = visible(await html(`/calls/src_default/${call.voiceId}`, "; lang=zh"));
    expect(shown).toContain("通话时长");
    expect(shown).toContain("线路消费金额（报价币种）。");
    expect(shown).not.toContain("epoch milliseconds");
    expect(shown).not.toContain("in seconds");
    expect(shown).not.toContain("decimal string");
  });

  it("masks the callee in the call list", async () => {
    const call = record({ callee: "13700137000", taskId: 771177 });
    expect((await push({ array: [call] })).status).toBe(200);
    const shown = visible(await html("/calls?taskId=771177"));
    expect(shown).toContain("137****7000");
    expect(shown).not.toContain("13700137000");
  });
});
