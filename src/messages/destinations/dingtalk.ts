import { z } from "zod";
import {
  type CallSummary,
  callSummary,
  type DigestSummary,
  digestRow,
  linkedDigest,
  markdownInJsonBudget,
  markdownLink,
  markdownRowStyle,
  missingValue,
  recordingLinkRoom,
  roomPerValue,
} from "../call-facts";
import { type EventSummary, eventSummary, severityMark } from "../event-summary";
import { classifyCodeAnswer, jsonRequest } from "../http-answer";
import { dingtalkLimits, paceRules } from "../limits";
import { platformUrl } from "../platform-url";
import { hmacSha256Base64 } from "../signing";
import { clip, escapeMarkdown, jsonBytes, utf8Bytes } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType } from "../types";

const titleBytes = 1000;
const envelopeBytes = 500;
const valueBytes = roomPerValue(dingtalkLimits.body, 2 * titleBytes + envelopeBytes + recordingLinkRoom, 400);
const legendBytes = 300;

/**
 * Result codes retrying cannot fix. DingTalk answers them with HTTP 200.
 * @see https://open.dingtalk.com/document/orgapp/custom-robot-access
 */
const permanent = new Map([
  [310000, "the robot's security settings refused the message: check the secret, keywords or IP allowlist"],
  [300001, "the access token does not exist: copy the robot's webhook URL again"],
  [300005, "the access token does not exist: copy the robot's webhook URL again"],
  [400101, "the access token does not exist: copy the robot's webhook URL again"],
  [400102, "the robot is stopped"],
  [400106, "the robot does not exist"],
  [400013, "the group was dissolved"],
]);

const markdown = (raw: string, max: number) => clip(raw, max, escapeMarkdown, jsonBytes);
const notificationTitle = (title: string) => clip(title, titleBytes, undefined, jsonBytes);

const rowStyle = markdownRowStyle(markdown, markdownInJsonBudget);

const templateFormat: TextFormat = {
  escape: escapeMarkdown,
  measure: jsonBytes,
  unit: "bytes",
  limit: dingtalkLimits.body - titleBytes - envelopeBytes,
};

/** A call as DingTalk markdown: the intent as heading, one list item per fact, then the recording link. */
function message(summary: CallSummary) {
  const lines = summary.facts.map(
    ({ label, value }) =>
      `- **${label}**${summary.colon}${value === null ? missingValue : markdown(value, valueBytes)}`,
  );
  const link = summary.recording ? ["", markdownLink(summary.recording)] : [];
  return {
    title: notificationTitle(summary.title),
    text: [`### ${markdown(summary.title, titleBytes)}`, ...lines, ...link].join("\n"),
  };
}

/** Several calls as DingTalk markdown: the count as heading, a list item per call, the legend quoted. */
function digest({ title, rows, legend }: DigestSummary) {
  const lines = rows.map((row) => `- ${digestRow(row, rowStyle).join(" · ")}`);
  return { title, text: [`### ${title}`, ...lines, "", `> ${markdown(legend, legendBytes)}`].join("\n") };
}

/** An event as DingTalk markdown: the marked title as heading, a list item per fact, each list, the note quoted. */
function eventMessage(summary: EventSummary) {
  const title = `${severityMark[summary.severity]} ${summary.title}`;
  const facts = summary.facts.map(({ label, value }) => `- **${label}**${summary.colon}${markdown(value, valueBytes)}`);
  const sections = summary.sections.flatMap(({ heading, items }) => [
    "",
    `**${heading}**`,
    "",
    ...items.map((item) => `- ${markdown(item, valueBytes)}`),
  ]);
  return {
    title,
    text: [`### ${title}`, ...facts, ...sections, "", `> ${markdown(summary.note, legendBytes)}`].join("\n"),
  };
}

/** A markdown message that mentions nobody. */
const markdownBody = (content: { title: string; text: string }) => ({
  msgtype: "markdown",
  markdown: content,
  at: { isAtAll: false },
});

/** Posts a markdown message, signed when the robot has a secret. */
async function post(config: DingtalkConfig, now: number, content: { title: string; text: string }) {
  const url = new URL(config.url);
  if (config.secret) {
    const timestamp = String(now);
    url.searchParams.set("timestamp", timestamp);
    url.searchParams.set("sign", await hmacSha256Base64(config.secret, `${timestamp}\n${config.secret}`));
  }
  return jsonRequest(url.href, markdownBody(content));
}

/** A `dingtalk` destination's settings. */
export type DingtalkConfig = {
  /** A custom robot's webhook: `https://oapi.dingtalk.com/robot/send?access_token=…`. */
  url: string;
  /** The robot's signing secret (`SEC…`), when its security settings use signing. */
  secret?: string;
};

/** Markdown messages to a DingTalk group's custom robot. */
export const dingtalk: DestinationType<DingtalkConfig> = {
  type: "dingtalk",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      url: platformUrl(
        ctx,
        (url) =>
          url.hostname === "oapi.dingtalk.com" &&
          url.pathname === "/robot/send" &&
          /^\w+$/.test(url.searchParams.get("access_token") ?? ""),
        "a DingTalk robot webhook URL: https://oapi.dingtalk.com/robot/send?access_token=…",
      ),
      secret: z
        .string({ error: "must be a string" })
        .trim()
        .regex(/^SEC\w{1,200}$/, "must be the robot's signing secret, starting with SEC")
        .optional(),
    }),
  secretFields: ["url", "secret"],
  render: ({ config, call, options, now, template, recordingUrl }) =>
    post(
      config,
      now,
      template
        ? {
            title: notificationTitle(callSummary(call, options).title),
            text: fillTextTemplate(template, call, options, templateFormat),
          }
        : message(callSummary(call, options, recordingUrl)),
    ),
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(dingtalkLimits.rates),
  digestMax: 20,
  renderDigest: ({ config, now, ...input }) =>
    post(
      config,
      now,
      linkedDigest(input, digest, (content) => utf8Bytes(JSON.stringify(markdownBody(content))) <= dingtalkLimits.body),
    ),
  renderEvent: ({ config, event, options, now }) => post(config, now, eventMessage(eventSummary(event, options))),
  classify: (response) =>
    classifyCodeAnswer(response, {
      platform: "DingTalk",
      codeFields: ["errcode"],
      messageFields: ["errmsg"],
      permanent,
      rateLimited: new Map([
        [130101, dingtalkLimits.throttle],
        [410100, dingtalkLimits.throttle],
      ]),
    }),
};
