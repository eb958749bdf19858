import { afterEach, describe, expect, it, vi } from "vitest";
import { getDestinationType } from "../../src/messages/destinations/registry";
import { dingtalkLimits, type RateLimit, slackLimits } from "../../src/messages/limits";
import { installReceiver, type Received } from "../support/receiver";
import { createDestination, push, record, rows, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const BURST = 50;

interface BurstPlatform {
  type: string;
  config(): { url: string };
  accepted(): Response;
  rates: readonly RateLimit[];
  digestMax: number;
  /** The call ids a message carries: every row of a digest, or the one call of a single message. */
  callIds(request: Received): string[];
}

const slack: BurstPlatform = {
  type: "slack",
  config: () => ({ url: `https://hooks.slack.com/services/T0/B0/${crypto.randomUUID()}` }),
  accepted: () => new Response("ok"),
  rates: slackLimits.rates,
  digestMax: getDestinationType("slack").digestMax ?? 1,
  callIds(request) {
    const { blocks } = JSON.parse(request.body) as {
      blocks: { text?: { text: string }; fields?: { text: string }[] }[];
    };
    const sections = blocks.slice(1).filter((b) => b.text);
    if (sections.length > 0) return sections.map((s) => /`([^`]*)`$/.exec(s.text?.text ?? "")?.[1] ?? "");
    const id = blocks.flatMap((b) => b.fields ?? []).find((f) => f.text.startsWith("*Call ID*"));
    return [/`([^`]*)`$/.exec(id?.text ?? "")?.[1] ?? ""];
  },
};

const dingtalk: BurstPlatform = {
  type: "dingtalk",
  config: () => ({
    url: `https://oapi.dingtalk.com/robot/send?access_token=${crypto.randomUUID().replaceAll("-", "")}`,
  }),
  accepted: () => Response.json({ errcode: 0, errmsg: "ok" }),
  rates: dingtalkLimits.rates,
  digestMax: getDestinationType("dingtalk").digestMax ?? 1,
  callIds(request) {
    const lines: string[] = JSON.parse(request.body).markdown.text.split("\n");
    const single = lines.find((line) => line.startsWith("- **Call ID**: "));
    if (single) return [single.slice("- **Call ID**: ".length)];
    return lines.filter((line) => line.startsWith("- ")).map((line) => line.split(" · ").at(-1) ?? "");
  },
};

/** The most messages any window of `windowMs` held, by arrival time. */
function busiest(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function waitForDelivered(destinationId: string, count: number, timeout = 60_000) {
  const started = Date.now();
  for (;;) {
    const [row] = await rows<{ n: number }>(
      "SELECT count(*) AS n FROM deliveries WHERE destination_id = ? AND status = 'delivered'",
      destinationId,
    );
    if (row?.n === count) return;
    if (Date.now() - started > timeout) throw new Error(`${row?.n} of ${count} delivered in ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each([slack, dingtalk])("a burst to a $type destination", (platform) => {
  it(`delivers ${BURST} calls pushed at once in digests, each call once, never faster than the platform allows`, async () => {
    const receiver = installReceiver();
    const config = platform.config();
    receiver.answer(() => platform.accepted());
    const taskId = Math.floor(Math.random() * 1e9);
    const records = Array.from({ length: BURST }, () => record({ taskId }));
    const dest = await createDestination({ type: platform.type, config, filter: { taskId } });

    expect((await push({ array: [...records, record({ taskId: taskId + 1 })] })).status).toBe(200);
    await waitForDelivered(dest.id, BURST);

    const messages = receiver.to(new URL(config.url).origin);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil(BURST / platform.digestMax) + 1);
    const ids = messages.flatMap((m) => platform.callIds(m));
    expect(ids.toSorted()).toEqual(records.map((r) => r.voiceId).toSorted());
    for (const { messages: limit, perSeconds } of platform.rates) {
      expect(
        busiest(
          messages.map((m) => m.at),
          perSeconds * 1000,
        ),
      ).toBeLessThanOrEqual(limit);
    }
  });
});

describe("a single call", () => {
  it("gets the usual message, not a digest", async () => {
    const receiver = installReceiver();
    const config = slack.config();
    receiver.answer(() => slack.accepted());
    const r = record();
    const dest = await createDestination({ type: "slack", config, filter: { voiceId: r.voiceId } });

    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const [message, ...more] = receiver.to(config.url);
    expect(more).toEqual([]);
    const body = JSON.parse(message?.body ?? "{}");
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Connected-Customer No Responsern" },
    });
    expect(body.text).toBe("Connected-Customer No Responsern · Callee: 222***************0007 · Talk time: 35s");
    expect(slack.callIds(message as Received)).toEqual([r.voiceId]);
  });
});
