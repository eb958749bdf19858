import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consume, parkedDeliveries, withRecordingLanes } from "../support/handlers";
import { installReceiver } from "../support/receiver";
import { attemptsOf, rows } from "../support/worker";

afterEach(async () => {
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
  vi.unstubAllGlobals();
});

const secretUrls = {
  slack: {
    config: { url: "https://hooks.slack.com/services/T0SECRET/B0SECRET/abcSECRETxyz" },
    url: "https://hooks.slack.com/services/T0SECRET/B0SECRET/abcSECRETxyz",
  },
  telegram: {
    config: { botToken: "123456789:AAsecretSECRETsecretSECRETsecret12", chatId: "-1001234567890" },
    url: "https://api.telegram.org/bot123456789:AAsecretSECRETsecretSECRETsecret12/sendMessage",
  },
};

describe("a chat destination's URL is a secret", () => {
  it.each(Object.entries(secretUrls))(
    "a %s fetch error quoting it lands in last_error and the attempt's error cut to its origin",
    async (type, { config, url }) => {
      const receiver = installReceiver();
      receiver.answer((request) => {
        // What a runtime's network error can say: the whole URL, path and token included.
        throw new TypeError(`fetch failed: connect ECONNREFUSED while requesting ${request.url}`);
      });
      const { ids } = await parkedDeliveries({ type, config }, 1);
      const lanes = withRecordingLanes();
      await consume(ids, "callrelay-deliveries", lanes.env);

      expect(receiver.received.map((r) => r.url)).toEqual([url]);
      const [delivery] = await rows<{ status: string; last_error: string }>(
        "SELECT status, last_error FROM deliveries WHERE id = ?",
        ids[0],
      );
      const attempts = await attemptsOf(ids[0] as string);
      const origin = new URL(url).origin;
      const stored = [delivery?.last_error, ...attempts.map((a) => a.error)];
      expect(delivery?.status).toBe("retrying");
      expect(attempts).toHaveLength(1);
      for (const text of stored) {
        expect(text).toContain(`network error: fetch failed: connect ECONNREFUSED while requesting ${origin}/…`);
        expect(text).not.toContain("SECRET");
        expect(text).not.toContain(new URL(url).pathname);
      }
    },
  );
});
