import { z } from "zod";
import {
  type CallSummary,
  callSummary,
  type DigestSummary,
  digestRow,
  linkedDigest,
  missingValue,
  type RecordingLink,
  type RowStyle,
  recordingLinkRoom,
  roomPerValue,
  rowBudget,
} from "../call-facts";
import { bullets, type EventSummary, eventSummary } from "../event-summary";
import { classifyCodeAnswer, jsonRequest } from "../http-answer";
import { feishuLimits, paceRules } from "../limits";
import { platformUrl } from "../platform-url";
import { hmacSha256Base64 } from "../signing";
import { clip, jsonBytes, utf8Bytes } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType } from "../types";

const hosts = new Set(["open.feishu.cn", "open.larksuite.com"]);
const titleBytes = 1000;
const envelopeBytes = 500;
const valueBytes = roomPerValue(feishuLimits.body, titleBytes + envelopeBytes + recordingLinkRoom, 400);
const legendBytes = 300;

/**
 * Result codes retrying cannot fix. Feishu answers them with HTTP 200.
 * @see https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
const permanent = new Map([
  [19001, "the webhook URL is invalid or its bot was removed"],
  [19007, "the bot is not enabled"],
  [19021, "the signature does not match: check the secret (or set the one the bot requires)"],
  [19022, "the bot only takes requests from allowed IP addresses; callrelay's vary, so remove the IP allowlist"],
  [19024, "the message lacks a keyword the bot requires; use signing instead of keywords"],
]);

const plain = (content: string) => ({ tag: "plain_text", content });
const sized = (raw: string, max: number) => clip(raw, max, undefined, jsonBytes);

const rowStyle: RowStyle = {
  budget: rowBudget,
  text: sized,
  verbatim: (raw, max) => (max === undefined ? raw : sized(raw, max)),
  strong: (text) => text,
};

const templateFormat: TextFormat = { measure: jsonBytes, unit: "bytes", limit: feishuLimits.body - envelopeBytes };

/** A label and its plain-text value side by side. */
const factRow = (label: string, value: string) => ({
  tag: "column_set",
  flex_mode: "none",
  columns: [
    { tag: "column", width: "weighted", weight: 1, elements: [{ tag: "markdown", content: `**${label}**` }] },
    { tag: "column", width: "weighted", weight: 3, elements: [{ tag: "div", text: plain(value) }] },
  ],
});

const button = ({ label, url }: RecordingLink, type = "default") => ({ tag: "button", text: plain(label), type, url });

/**
 * A call as an interactive card: the intent as header, one row per fact, user text only in plain text, and a button
 * to the recording when there is one.
 */
function card(summary: CallSummary) {
  const facts = summary.facts.map(({ label, value }) =>
    factRow(label, value === null ? missingValue : sized(value, valueBytes)),
  );
  return {
    config: { wide_screen_mode: true },
    header: { template: "blue", title: plain(sized(summary.title, titleBytes)) },
    elements: summary.recording
      ? [...facts, { tag: "action", actions: [button(summary.recording, "primary")] }]
      : facts,
  };
}

/** Several calls as a card: the count as header, a plain-text row per call (a button beside it to its recording), the legend as a note. */
function digestCard({ title, rows, legend }: DigestSummary) {
  return {
    config: { wide_screen_mode: true },
    header: { template: "blue", title: plain(title) },
    elements: [
      ...rows.map((row) => ({
        tag: "div",
        text: plain(digestRow(row, rowStyle).join(" · ")),
        ...(row.recording ? { extra: button(row.recording) } : {}),
      })),
      { tag: "note", elements: [plain(sized(legend, legendBytes))] },
    ],
  };
}

const headerColour = { critical: "red", warning: "orange", info: "blue" } as const;

/** An event as a card: coloured header by severity, one row per fact, each list as a div, the note below. */
function eventCard(summary: EventSummary) {
  return {
    config: { wide_screen_mode: true },
    header: { template: headerColour[summary.severity], title: plain(summary.title) },
    elements: [
      ...summary.facts.map(({ label, value }) => factRow(label, sized(value, valueBytes))),
      ...summary.sections.flatMap(({ heading, items }) => [
        { tag: "markdown", content: `**${heading}**` },
        { tag: "div", text: plain(sized(bullets(items), valueBytes * 4)) },
      ]),
      { tag: "note", elements: [plain(sized(summary.note, legendBytes))] },
    ],
  };
}

/** A card holding only a template's text, as plain text. */
const templateCard = (text: string) => ({
  config: { wide_screen_mode: true },
  elements: [{ tag: "div", text: plain(text) }],
});

/** Feishu's signature: base64 of HMAC-SHA256 keyed with `timestamp + "\n" + secret` over an empty message. */
const sign = (timestamp: string, secret: string) => hmacSha256Base64(`${timestamp}\n${secret}`, "");

/** Posts a card, signed when the bot has a secret. */
async function post(config: FeishuConfig, now: number, content: object) {
  const timestamp = String(Math.floor(now / 1000));
  const signature = config.secret ? { timestamp, sign: await sign(timestamp, config.secret) } : {};
  return jsonRequest(config.url, { ...signature, msg_type: "interactive", card: content });
}

/** A `feishu` destination's settings. */
export type FeishuConfig = {
  /** A custom bot's webhook: `https://open.feishu.cn/open-apis/bot/v2/hook/…` (Lark: `open.larksuite.com`). */
  url: string;
  /** The bot's signing secret, when its security settings ask for a signature. */
  secret?: string;
};

/** Interactive cards to a Feishu or Lark group's custom bot. */
export const feishu: DestinationType<FeishuConfig> = {
  type: "feishu",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      url: platformUrl(
        ctx,
        (url) => hosts.has(url.hostname) && /^\/open-apis\/bot\/v2\/hook\/[\w-]+$/.test(url.pathname),
        "a Feishu or Lark custom-bot webhook URL: https://open.feishu.cn/open-apis/bot/v2/hook/…",
      ),
      secret: z
        .string({ error: "must be a string" })
        .trim()
        .regex(/^\S{1,128}$/, "must be the bot's signing secret (up to 128 characters, no spaces)")
        .optional(),
    }),
  secretFields: ["url", "secret"],
  render: ({ config, call, options, now, template, recordingUrl }) =>
    post(
      config,
      now,
      template
        ? templateCard(fillTextTemplate(template, call, options, templateFormat))
        : card(callSummary(call, options, recordingUrl)),
    ),
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(feishuLimits.rates),
  digestMax: 19,
  renderDigest: ({ config, now, ...input }) =>
    post(
      config,
      now,
      linkedDigest(input, digestCard, (card) => utf8Bytes(JSON.stringify(card)) <= feishuLimits.body - envelopeBytes),
    ),
  renderEvent: ({ config, event, options, now }) => post(config, now, eventCard(eventSummary(event, options))),
  classify: (response) =>
    classifyCodeAnswer(response, {
      platform: "Feishu",
      codeFields: ["code", "StatusCode"],
      messageFields: ["msg", "StatusMessage"],
      permanent,
      rateLimited: new Map([[11232, feishuLimits.rateWindow]]),
    }),
};
