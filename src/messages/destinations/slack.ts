import { z } from "zod";
import {
  type CallFact,
  type CallSummary,
  callSummary,
  type DigestSummary,
  digestRow,
  digestSummary,
  missingValue,
  type RowStyle,
  rowBudget,
} from "../call-facts";
import { bullets, type EventSummary, eventSummary, severityMark } from "../event-summary";
import { classifyHttpAnswer, jsonRequest } from "../http-answer";
import { paceRules, slackLimits } from "../limits";
import { platformUrl } from "../platform-url";
import { clip, codeUnits, escapeHtml } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType, ReceiverResponse, Verdict } from "../types";

/**
 * Incoming-webhook errors that retrying cannot fix: the webhook, channel or workspace is gone or refuses it.
 * Slack answers them with a 4xx status and the code as plain-text body.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors
 */
const permanentErrors = new Map<string, string>([
  ["invalid_payload", "Slack could not read the message"],
  ["invalid_token", "the webhook's token is invalid"],
  ["no_service", "the webhook was disabled, removed or is invalid"],
  ["no_service_id", "the webhook URL is invalid"],
  ["no_active_hooks", "the webhook is disabled"],
  ["no_team", "the Slack workspace is missing or no longer active"],
  ["team_disabled", "the Slack workspace is disabled"],
  ["channel_not_found", "the channel does not exist"],
  ["channel_is_archived", "the channel is archived"],
  ["action_prohibited", "the workspace's admins restrict this webhook"],
  ["posting_to_general_channel_denied", "posting to #general is restricted"],
]);

const slackHosts = new Set(["hooks.slack.com", "hooks.slack-gov.com"]);

const mrkdwn = (raw: string, max: number) => clip(raw, max, escapeHtml);

/** `raw` as inline code, backticks turned to quotes; cut to `max` (backticks included) when given. */
function code(raw: string, max?: number) {
  const inner = raw.replaceAll("`", "'");
  return `\`${max === undefined ? escapeHtml(inner) : mrkdwn(inner, max - 2)}\``;
}

const rowStyle: RowStyle = {
  budget: rowBudget,
  text: mrkdwn,
  verbatim: code,
  strong: (text) => `*${text}*`,
  link: ({ label, url }) => `<${url}|${label}>`,
};

const templateFormat: TextFormat = {
  escape: escapeHtml,
  measure: codeUnits,
  unit: "characters",
  limit: slackLimits.text,
};

function field({ label, value, verbatim }: CallFact) {
  const prefix = `*${label}*\n`;
  if (value === null) return { type: "mrkdwn", text: prefix + missingValue };
  const room = slackLimits.fieldText - prefix.length;
  return { type: "mrkdwn", text: prefix + (verbatim ? code(value, room) : mrkdwn(value, room)) };
}

/**
 * A call as Block Kit: the intent as header (in full in a section when too long for one), facts as fields, and a
 * button to the recording when there is one.
 */
function message(summary: CallSummary) {
  const title = mrkdwn(summary.title, slackLimits.headerText);
  const blocks: object[] = [{ type: "header", text: { type: "plain_text", text: title } }];
  if (summary.intent && escapeHtml(summary.intent).length > slackLimits.headerText) {
    const prefix = `*${summary.intentLabel}*\n`;
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: prefix + mrkdwn(summary.intent, slackLimits.sectionText - prefix.length) },
    });
  }
  blocks.push({ type: "section", fields: summary.facts.map(field) });
  if (summary.recording) {
    const { label, url } = summary.recording;
    blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: label }, url }] });
  }
  const headline = summary.headline.map((f) =>
    mrkdwn(`${f.label}${summary.colon}${f.value ?? missingValue}`, slackLimits.headerText),
  );
  return { text: [title, ...headline].join(" · "), blocks };
}

/** Several calls as Block Kit: a header counting them, a section per call, the legend as context. */
function digest({ title, rows, legend }: DigestSummary) {
  return {
    text: title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: mrkdwn(title, slackLimits.headerText) } },
      ...rows.map((row) => ({ type: "section", text: { type: "mrkdwn", text: digestRow(row, rowStyle).join(" · ") } })),
      { type: "context", elements: [{ type: "mrkdwn", text: mrkdwn(legend, slackLimits.sectionText) }] },
    ],
  };
}

/** An event as Block Kit: a marked header, its facts as fields, each list as a section, the note as context. */
function eventMessage(summary: EventSummary) {
  const title = `${severityMark[summary.severity]} ${summary.title}`;
  return {
    text: title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title } },
      {
        type: "section",
        fields: summary.facts.map(({ label, value }) => ({
          type: "mrkdwn",
          text: `*${label}*\n${mrkdwn(value, slackLimits.fieldText - 100)}`,
        })),
      },
      ...summary.sections.map(({ heading, items }) => ({
        type: "section",
        text: {
          type: "mrkdwn",
          text: mrkdwn(`${heading}\n${bullets(items)}`, slackLimits.sectionText),
        },
      })),
      { type: "context", elements: [{ type: "mrkdwn", text: mrkdwn(summary.note, slackLimits.sectionText) }] },
    ],
  };
}

function classify(response: ReceiverResponse): Verdict {
  const error = response.body.trim();
  const meaning = response.status >= 400 ? permanentErrors.get(error) : undefined;
  if (meaning) return { outcome: "failed", reason: `Slack answered ${response.status} ${error}: ${meaning}` };
  return classifyHttpAnswer(response);
}

/** A `slack` destination's settings. */
export type SlackConfig = {
  /** A Slack incoming-webhook URL, `https://hooks.slack.com/services/…`. */
  url: string;
};

/** Block Kit messages to a Slack incoming webhook. */
export const slack: DestinationType<SlackConfig> = {
  type: "slack",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      url: platformUrl(
        ctx,
        (url) => slackHosts.has(url.hostname) && /^\/services\/./.test(url.pathname),
        "a Slack incoming-webhook URL: https://hooks.slack.com/services/…",
      ),
    }),
  secretFields: ["url"],
  render: ({ config, call, options, template, recordingUrl }) =>
    jsonRequest(
      config.url,
      template
        ? { text: fillTextTemplate(template, call, options, templateFormat) }
        : message(callSummary(call, options, recordingUrl)),
    ),
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(slackLimits.rates),
  digestMax: 25,
  renderDigest: ({ config, calls, options, recordingUrls }) =>
    jsonRequest(config.url, digest(digestSummary(calls, options, recordingUrls))),
  renderEvent: ({ config, event, options }) => jsonRequest(config.url, eventMessage(eventSummary(event, options))),
  classify,
};
