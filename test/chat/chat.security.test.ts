import { describe, expect, it } from "vitest";
import { admin, createDestination } from "../support/worker";
import { platforms } from "./platforms";

/** Every string in `config` that is a credential: tokens, secrets and webhook URLs (their paths and keys). */
function credentials(config: Record<string, unknown>): string[] {
  return Object.entries(config).flatMap(([key, value]) => {
    if (typeof value !== "string" || key === "chatId") return [];
    const url = URL.parse(value);
    return url ? [value, url.pathname + url.search] : [value];
  });
}

describe.each(platforms)("a $type destination's credentials", (platform) => {
  it("are never returned by the admin API, not even right after creation", async () => {
    const config = platform.config();
    const created = await createDestination({ type: platform.type, config });
    const read = await (await admin(`/destinations/${created.id}`)).json<{ config: Record<string, unknown> }>();
    const list = await (await admin("/destinations")).text();
    for (const secret of credentials(config)) {
      expect(JSON.stringify(created)).not.toContain(secret);
      expect(JSON.stringify(read)).not.toContain(secret);
      expect(list).not.toContain(secret);
    }
    for (const [key, value] of Object.entries(read.config)) {
      if (key === "url") expect(value).toMatch(/^https:\/\/[^/]+\/…$/);
      else if (key !== "chatId") expect(value).toBe("********");
    }
  });
});

describe("chat destination configs", () => {
  it.each([
    ["telegram", { botToken: "not-a-token", chatId: "1" }, "config.botToken"],
    ["feishu", { url: "https://evil.test/open-apis/bot/v2/hook/x" }, "config.url"],
    ["dingtalk", { url: "http://oapi.dingtalk.com/robot/send?access_token=x" }, "config.url"],
    ["wecom", { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send" }, "config.url"],
    ["discord", { url: "https://discord.com/api/webhooks/1" }, "config.url"],
    ["teams", { url: "https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c" }, "config.url"],
  ])("refuse a %s config that points elsewhere or lacks its token", async (type, config, path) => {
    const res = await admin("/destinations", { body: { name: "x", type, config } });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; details: { path: string }[] } }>();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d) => d.path)).toEqual([path]);
  });
});
