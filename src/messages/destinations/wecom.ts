import { z } from "zod";
import {
  type CallSummary,
  callSummary,
  type DigestSummary,
  digestRow,
  linkedDigest,
  markdownLink,
  markdownRowStyle,
  missingValue,
  recordingLinkRoom,
  roomPerValue,
  rowBudget,
} from "../call-facts";
import { bullets, type EventSummary, eventSummary } from "../event-summary";
import { classifyCodeAnswer, jsonRequest } from "../http-answer";
import { paceRules, wecomLimits } from "../limits";
import { platformUrl } from "../platform-url";
import { clip, escapeMarkdown, utf8Bytes } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType } from "../types";

const titleBytes = 560;
const valueBytes = roomPerValue(wecomLimits.markdownContent, titleBytes + 10 + recordingLinkRoom, 50);
const legendBytes = 200;
const sectionBytes = 1200;

/**
 * Result codes retrying cannot fix. WeCom answers them with HTTP 200.
 * @see https://developer.work.weixin.qq.com/document/path/91770
 */
const permanent = new Map([[93000, "the webhook URL is invalid or its robot was removed"]]);

const markdown = (raw: string, max: number) => clip(raw, max, escapeMarkdown, utf8Bytes);

const rowStyle = markdownRowStyle(markdown, rowBudget);

const templateFormat: TextFormat = {
  escape: escapeMarkdown,
  measure: utf8Bytes,
  unit: "bytes",
  limit: wecomLimits.markdownContent,
};

/**
 * A call as WeCom markdown: the intent as heading, one quoted line per fact with the value in grey, then the
 * recording link.
 */
function content(summary: CallSummary): string {
  const lines = summary.facts.map(
    ({ label, value }) =>
      `>${label}${summary.colon}<font color="comment">${value === null ? missingValue : markdown(value, valueBytes)}</font>`,
  );
  const link = summary.recording ? [markdownLink(summary.recording)] : [];
  return [`### ${markdown(summary.title, titleBytes)}`, ...lines, ...link].join("\n");
}

/** Several calls as WeCom markdown: the count as heading, a line per call, the legend in grey. */
function digest({ title, rows, legend }: DigestSummary): string {
  const lines = rows.map((row) => digestRow(row, rowStyle).join(" · "));
  return [`### ${title}`, ...lines, `<font color="comment">${markdown(legend, legendBytes)}</font>`].join("\n");
}

const fontColour = { critical: "warning", warning: "warning", info: "info" } as const;

/** An event as WeCom markdown: the title coloured by severity, a quoted line per fact, each list, the note in grey. */
function eventContent(summary: EventSummary): string {
  const facts = summary.facts.map(
    ({ label, value }) => `>${label}${summary.colon}<font color="comment">${markdown(value, valueBytes)}</font>`,
  );
  const sections = summary.sections.flatMap(({ heading, items }) => [
    `**${heading}**`,
    markdown(bullets(items, "-"), sectionBytes),
  ]);
  return [
    `### <font color="${fontColour[summary.severity]}">${summary.title}</font>`,
    ...facts,
    ...sections,
    `<font color="comment">${markdown(summary.note, legendBytes)}</font>`,
  ].join("\n");
}

const post = (config: WecomConfig, content: string) =>
  jsonRequest(config.url, { msgtype: "markdown", markdown: { content } });

/** A `wecom` destination's settings. */
export type WecomConfig = {
  /** A group robot's webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`. */
  url: string;
};

/** Markdown messages to a WeCom (企业微信) group robot. */
export const wecom: DestinationType<WecomConfig> = {
  type: "wecom",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      url: platformUrl(
        ctx,
        (url) =>
          url.hostname === "qyapi.weixin.qq.com" &&
          url.pathname === "/cgi-bin/webhook/send" &&
          /^[\w-]+$/.test(url.searchParams.get("key") ?? ""),
        "a WeCom group-robot webhook URL: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
      ),
    }),
  secretFields: ["url"],
  render: ({ config, call, options, template, recordingUrl }) =>
    post(
      config,
      template
        ? fillTextTemplate(template, call, options, templateFormat)
        : content(callSummary(call, options, recordingUrl)),
    ),
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(wecomLimits.rates),
  digestMax: 6,
  renderDigest: ({ config, ...input }) =>
    post(
      config,
      linkedDigest(input, digest, (text) => utf8Bytes(text) <= wecomLimits.markdownContent),
    ),
  renderEvent: ({ config, event, options }) => post(config, eventContent(eventSummary(event, options))),
  classify: (response) =>
    classifyCodeAnswer(response, {
      platform: "WeCom",
      codeFields: ["errcode"],
      messageFields: ["errmsg"],
      permanent,
      rateLimited: new Map([[45009, wecomLimits.rateWindow]]),
    }),
};
