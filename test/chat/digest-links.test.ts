import { describe, expect, it } from "vitest";
import { destinationTypes, getDestinationType } from "../../src/destinations/registry";
import { recordingLink } from "../../src/recordings/link";
import { attemptAt, renderDigest, sampleCalls } from "./kit";

const config = {
  platformApi: { key: "k", secret: "s", base: "https://api.platform.test" },
  publicUrl: "https://callrelay.example.workers.dev",
  recordingLinkDays: 7,
};

const configs: Record<string, Record<string, unknown>> = {
  slack: { url: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX" },
  telegram: { botToken: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", chatId: "-1001234567890" },
  feishu: { url: "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c9f8e-1111-2222-3333-444455556666", secret: "s" },
  dingtalk: { url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: "SECabc" },
  wecom: { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc" },
  discord: { url: "https://discord.com/api/webhooks/1234567890123456789/AbC-dEf_GhI" },
  teams: { url: "https://prod.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=x" },
};

const chatTypes = Object.keys(destinationTypes)
  .map(getDestinationType)
  .filter((type) => type.chat);

describe("recording links in a full digest of everyday calls", () => {
  it("covers every chat type", () => {
    expect(chatTypes.map((type) => type.type).sort()).toEqual(Object.keys(configs).sort());
  });

  it.each(chatTypes.map((type) => [type.type, type] as const))("%s links every row", async (name, type) => {
    const calls = sampleCalls(type.digestMax ?? 0).map((call, i) => ({
      ...call,
      voiceId: `2603261522241601${String(i).padStart(5, "0")}`,
      intent: "Connected-Customer interested",
    }));
    const urls = await Promise.all(calls.map((call) => recordingLink(config, call, attemptAt)));
    for (const url of urls) expect(url?.length).toBeLessThan(150);
    const { request } = await renderDigest(type, configs[name] ?? {}, calls, { locale: "zh" }, urls);
    for (const url of urls) expect(request.body).toContain(url);
  });
});
