import { describe, expect, it } from "vitest";
import { destinationTypes, getDestinationType } from "../../src/messages/destinations/registry";
import { recordingLink } from "../../src/messages/recording-link";
import { attemptAt, chatConfigs, renderDigest, sampleCalls } from "./kit";

const config = {
  platformApi: { key: "k", secret: "s", base: "https://api.platform.test" },
  publicUrl: "https://callrelay.example.workers.dev",
  recordingLinkDays: 7,
};

const chatTypes = Object.keys(destinationTypes)
  .map(getDestinationType)
  .filter((type) => type.chat);

describe("recording links in a full digest of everyday calls", () => {
  it("covers every chat type", () => {
    expect(chatTypes.map((type) => type.type).sort()).toEqual(Object.keys(chatConfigs).sort());
  });

  it.each(chatTypes.map((type) => [type.type, type] as const))("%s links every row", async (name, type) => {
    const calls = sampleCalls(type.digestMax ?? 0).map((call, i) => ({
      ...call,
      voiceId: `2603261522241601${String(i).padStart(5, "0")}`,
      intent: "Connected-Customer interested",
    }));
    const urls = await Promise.all(calls.map((call) => recordingLink(config, call, attemptAt)));
    for (const url of urls) expect(url?.length).toBeLessThan(150);
    const { request } = await renderDigest(type, chatConfigs[name] ?? {}, calls, { locale: "zh" }, urls);
    for (const url of urls) expect(request.body).toContain(url);
  });
});
