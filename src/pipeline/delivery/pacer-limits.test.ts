import { describe, expect, it } from "vitest";
import { dingtalk } from "../../messages/destinations/dingtalk";
import { discord } from "../../messages/destinations/discord";
import { feishu } from "../../messages/destinations/feishu";
import { slack } from "../../messages/destinations/slack";
import { teams } from "../../messages/destinations/teams";
import { telegram } from "../../messages/destinations/telegram";
import { wecom } from "../../messages/destinations/wecom";
import type { DestinationType, RateRule } from "../../messages/types";
import { waitForSlot } from "./pacer";

/** Each chat type with its platform's documented rates: messages per seconds. */
const documented: { name: string; type: Pick<DestinationType, "rateLimits">; rates: [number, number][] }[] = [
  { name: "slack", type: slack, rates: [[1, 1]] },
  {
    name: "telegram",
    type: telegram,
    rates: [
      [1, 1],
      [20, 60],
      [30, 1],
    ],
  },
  {
    name: "feishu",
    type: feishu,
    rates: [
      [100, 60],
      [5, 1],
    ],
  },
  { name: "dingtalk", type: dingtalk, rates: [[20, 60]] },
  { name: "wecom", type: wecom, rates: [[20, 60]] },
  {
    name: "discord",
    type: discord,
    rates: [
      [5, 2],
      [30, 60],
    ],
  },
  { name: "teams", type: teams, rates: [[4, 1]] },
];

/** Send times when every send takes the first slot the rules allow, from 0 for `ms`. */
function paced(rules: readonly RateRule[], ms: number): number[] {
  const sent: number[] = [];
  for (let now = 0; now < ms; ) {
    const wait = waitForSlot(sent, rules, now);
    if (wait === 0) sent.push(now);
    now += Math.max(wait, 1);
  }
  return sent;
}

describe("chat rate limits", () => {
  it.each(documented)("pace $name at its platform's rates, windows less than a second wider", ({ type, rates }) => {
    expect(type.rateLimits).toHaveLength(rates.length);
    for (const [i, [messages, seconds]] of rates.entries()) {
      const rule = type.rateLimits?.[i];
      expect(rule?.count).toBe(messages);
      expect(rule?.windowMs).toBeGreaterThan(seconds * 1000);
      expect(rule?.windowMs).toBeLessThan(seconds * 1000 + 1000);
    }
  });

  it.each(documented)("never let $name send more than its platform allows in any window", ({ type, rates }) => {
    const sent = paced(type.rateLimits ?? [], 130_000);
    expect(sent.length).toBeGreaterThan(Math.max(...rates.map(([messages]) => messages)));
    for (const [messages, seconds] of rates) {
      for (let i = messages; i < sent.length; i++) {
        expect((sent[i] as number) - (sent[i - messages] as number)).toBeGreaterThan(seconds * 1000);
      }
    }
  });
});
