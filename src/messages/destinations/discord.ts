import { z } from "zod";
import {
  type CallFact,
  type CallSummary,
  callSummary,
  type DigestSummary,
  digestRow,
  linkedDigest,
  markdownLink,
  missingValue,
  type RowStyle,
  recordingLinkRoom,
  roomPerValue,
  rowBudget,
} from "../call-facts";
import { bullets, type EventSummary, eventSummary } from "../event-summary";
import {
  classifyHttpAnswer,
  describeAnswer,
  jsonRequest,
  jsonRetryAfter,
  parseRetryAfter,
  readJsonObject,
} from "../http-answer";
import { discordLimits, paceRules } from "../limits";
import { platformUrl } from "../platform-url";
import { clip, codeUnits, escapeMarkdown } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType, ReceiverResponse, Verdict } from "../types";

const hosts = new Set(["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"]);
const valueMax = Math.min(
  discordLimits.fieldValue,
  roomPerValue(discordLimits.embedTotal, discordLimits.embedTitle + recordingLinkRoom, 20),
);

const markdown = (raw: string, max: number) => clip(raw, max, escapeMarkdown);
const legendMax = 150;

/** `raw` as inline code, backticks turned to quotes; cut to `max` (backticks included) when given. */
function code(raw: string, max?: number) {
  const inner = raw.replaceAll("`", "'");
  return `\`${max === undefined ? inner : clip(inner, max - 2)}\``;
}

const rowStyle: RowStyle = {
  budget: rowBudget,
  text: markdown,
  verbatim: code,
  strong: (text) => `**${text}**`,
  link: markdownLink,
};

const templateFormat: TextFormat = {
  escape: escapeMarkdown,
  measure: codeUnits,
  unit: "characters",
  limit: discordLimits.embedDescription,
};

function field({ label, value, verbatim }: CallFact) {
  if (value === null) return { name: label, value: missingValue, inline: true };
  return { name: label, value: verbatim ? code(value, valueMax) : markdown(value, valueMax), inline: true };
}

/** Posts one embed, waiting for Discord to confirm it was saved; mentions never ping. */
function post(webhookUrl: string, content: object) {
  const url = new URL(webhookUrl);
  url.searchParams.set("wait", "true");
  return jsonRequest(url.href, { embeds: [content], allowed_mentions: { parse: [] } });
}

/** A call as an embed: the intent as title, the recording link as description, facts as inline fields. */
function embed(summary: CallSummary) {
  return {
    title: markdown(summary.title, discordLimits.embedTitle),
    description: summary.recording ? markdownLink(summary.recording) : undefined,
    fields: summary.facts.map(field),
  };
}

/** The characters of an embed that count towards Discord's total. */
const embedLength = (embed: { title: string; fields: { name: string; value: string }[]; footer: { text: string } }) =>
  embed.title.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);

/** Several calls as an embed: the count as title, a field per call, the legend as footer. */
function digestEmbed({ title, rows, legend }: DigestSummary) {
  return {
    title,
    fields: rows.map((row) => {
      const [name, value] = digestRow(row, rowStyle);
      return { name, value, inline: false };
    }),
    footer: { text: clip(legend, legendMax) },
  };
}

const embedColour = { critical: 0xd93025, warning: 0xf29900, info: 0x1a73e8 } as const;

/** An event as an embed coloured by severity: the title, a field per fact, a field per list, the note as footer. */
function eventEmbed(summary: EventSummary) {
  return {
    title: summary.title,
    color: embedColour[summary.severity],
    fields: [
      ...summary.facts.map(({ label, value }) => ({ name: label, value: markdown(value, valueMax), inline: true })),
      ...summary.sections.map(({ heading, items }) => ({
        name: heading,
        value: markdown(bullets(items), discordLimits.fieldValue),
        inline: false,
      })),
    ],
    footer: { text: clip(summary.note, legendMax) },
  };
}

function classify(response: ReceiverResponse): Verdict {
  const { status } = response;
  const reason = describeAnswer(response);
  if (status === 429) {
    const retryAfterSeconds =
      jsonRetryAfter(readJsonObject(response.body)?.retry_after) ??
      parseRetryAfter(response.headers.get("retry-after"));
    return retryAfterSeconds === undefined
      ? { outcome: "retry", reason }
      : { outcome: "retry", reason, retryAfterSeconds };
  }
  if (status === 401 || status === 404) {
    return { outcome: "failed", reason: `${reason}: the webhook was deleted or its token is wrong` };
  }
  if (status === 403) return { outcome: "failed", reason: `${reason}: the webhook may not post in its channel` };
  return classifyHttpAnswer(response);
}

/** A `discord` destination's settings. */
export type DiscordConfig = {
  /** A channel webhook: `https://discord.com/api/webhooks/<id>/<token>` (a `thread_id` query is kept). */
  url: string;
};

/** Embeds through a Discord channel webhook, waiting for Discord to confirm the message was saved. */
export const discord: DestinationType<DiscordConfig> = {
  type: "discord",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      url: platformUrl(
        ctx,
        (url) => hosts.has(url.hostname) && /^\/api(\/v\d+)?\/webhooks\/\d+\/[\w-]+$/.test(url.pathname),
        "a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>",
      ),
    }),
  secretFields: ["url"],
  render: ({ config, call, options, template, recordingUrl }) =>
    post(
      config.url,
      template
        ? { description: fillTextTemplate(template, call, options, templateFormat) }
        : embed(callSummary(call, options, recordingUrl)),
    ),
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(discordLimits.rates),
  digestMax: 19,
  renderDigest: ({ config, ...input }) =>
    post(
      config.url,
      linkedDigest(
        input,
        digestEmbed,
        (embed) =>
          embedLength(embed) <= discordLimits.embedTotal &&
          embed.fields.every((f) => f.value.length <= discordLimits.fieldValue),
      ),
    ),
  renderEvent: ({ config, event, options }) => post(config.url, eventEmbed(eventSummary(event, options))),
  classify,
};
