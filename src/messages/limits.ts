import type { RateRule } from "./types";

/**
 * What each chat platform accepts: message sizes, element counts and rates, with the page that documents them.
 * Sizes are in the unit the platform counts (characters are UTF-16 code units, as `String.length`).
 */

/** A cap on how many messages a platform takes per window. */
export interface RateLimit {
  messages: number;
  perSeconds: number;
  /** What the cap counts: messages to one chat, through one webhook, by one robot… */
  per: "chat" | "group" | "bot" | "webhook" | "channel";
  /** `false` when the number is widely observed behaviour the platform does not document. */
  documented: boolean;
}

const windowOf = (rates: readonly RateLimit[]) => Math.max(...rates.map((r) => r.perSeconds));

/**
 * How much later than its send slot a message may reach the platform (claiming and rendering come in between, and
 * take longer for some messages than for others): every window is paced this much wider than the platform's.
 */
const ARRIVAL_MARGIN_MS = 250;

/** The rules a destination's pacer enforces for a platform's rates. */
export function paceRules(rates: readonly RateLimit[]): RateRule[] {
  return rates.map((r) => ({ count: r.messages, windowMs: r.perSeconds * 1000 + ARRIVAL_MARGIN_MS }));
}

/** Slack Block Kit through an incoming webhook. */
export const slackLimits = {
  docs: {
    format: "https://docs.slack.dev/reference/block-kit/blocks",
    text: "https://docs.slack.dev/reference/methods/chat.postMessage#truncating-content",
    rate: "https://docs.slack.dev/apis/web-api/rate-limits",
  },
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonUrl: 3000,
  /** Characters of a message's top-level `text` that Slack advises at most (it truncates at 40,000). */
  text: 4000,
  rates: [{ messages: 1, perSeconds: 1, per: "channel", documented: true }] as readonly RateLimit[],
} as const;

/** Telegram Bot API `sendMessage`. */
export const telegramLimits = {
  docs: {
    format: "https://core.telegram.org/bots/api#sendmessage",
    rate: "https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this",
  },
  /** Characters of text after entities are parsed (callrelay counts the HTML before parsing, which is more). */
  text: 4096,
  rates: [
    { messages: 1, perSeconds: 1, per: "chat", documented: true },
    { messages: 20, perSeconds: 60, per: "group", documented: true },
    { messages: 30, perSeconds: 1, per: "bot", documented: true },
  ] as readonly RateLimit[],
} as const;

const feishuRates: readonly RateLimit[] = [
  { messages: 100, perSeconds: 60, per: "bot", documented: true },
  { messages: 5, perSeconds: 1, per: "bot", documented: true },
];

/** Feishu / Lark custom bots (group webhooks). */
export const feishuLimits = {
  docs: {
    format: "https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot",
    lark: "https://open.larksuite.com/document/client-docs/bot-v3/add-custom-bot",
    rate: "https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot",
  },
  /** Bytes of the request body: documented as "20 KB", taken as 20,000. */
  body: 20_000,
  rates: feishuRates,
  /** Seconds to wait after a rate-limit answer: the longest window. */
  rateWindow: windowOf(feishuRates),
} as const;

/** DingTalk custom robots (group webhooks). */
export const dingtalkLimits = {
  docs: {
    format: "https://open.dingtalk.com/document/orgapp/custom-robot-access",
    rate: "https://open.dingtalk.com/document/orgapp/custom-robot-access",
  },
  /** Bytes of the message: from the API's own error (`message too long, exceed 20000 bytes`), not its docs. */
  body: 20_000,
  rates: [{ messages: 20, perSeconds: 60, per: "bot", documented: true }] as readonly RateLimit[],
  /** Seconds a robot that went over its rate stays throttled. */
  throttle: 600,
} as const;

const wecomRates: readonly RateLimit[] = [{ messages: 20, perSeconds: 60, per: "bot", documented: true }];

/** WeCom (企业微信) group robots. */
export const wecomLimits = {
  docs: {
    format: "https://developer.work.weixin.qq.com/document/path/91770",
    rate: "https://developer.work.weixin.qq.com/document/path/91770",
  },
  /** UTF-8 bytes of a `markdown` message's content. */
  markdownContent: 4096,
  rates: wecomRates,
  rateWindow: windowOf(wecomRates),
} as const;

/** Discord webhook messages with one embed. */
export const discordLimits = {
  docs: {
    format: "https://discord.com/developers/docs/resources/message#embed-object-embed-limits",
    rate: "https://discord.com/developers/docs/topics/rate-limits",
  },
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  /** Characters of titles, descriptions, field names and values, footers and author names of all embeds. */
  embedTotal: 6000,
  /** Discord tells its limits per request in `X-RateLimit-*` headers; these are the usual values. */
  rates: [
    { messages: 5, perSeconds: 2, per: "webhook", documented: false },
    { messages: 30, perSeconds: 60, per: "channel", documented: false },
  ] as readonly RateLimit[],
} as const;

/** Microsoft Teams through a Workflows (Power Automate) webhook posting an Adaptive Card. */
export const teamsLimits = {
  docs: {
    format: "https://learn.microsoft.com/en-us/connectors/teams/#known-issues-and-limitations-with-actions",
    rate: "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook",
  },
  /** Bytes of a posted message: documented as "about 28 KB", taken as 28,000. */
  body: 28_000,
  /** Documented for incoming webhooks; a workflow's own throttling comes on top. */
  rates: [{ messages: 4, perSeconds: 1, per: "webhook", documented: true }] as readonly RateLimit[],
} as const;
