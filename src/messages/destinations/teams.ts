import { z } from "zod";
import {
  type CallSummary,
  callSummary,
  type DigestSummary,
  digestRow,
  linkedDigest,
  markdownInJsonBudget,
  markdownRowStyle,
  missingValue,
  type RecordingLink,
  recordingLinkRoom,
  roomPerValue,
} from "../call-facts";
import { bullets, type EventSummary, eventSummary } from "../event-summary";
import { classifyHttpAnswer, describeAnswer, jsonRequest } from "../http-answer";
import { paceRules, teamsLimits } from "../limits";
import { platformUrl } from "../platform-url";
import { clip, escapeMarkdown, jsonBytes, utf8Bytes } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType, ReceiverResponse, Verdict } from "../types";

const hostSuffixes = [".logic.azure.com", ".environment.api.powerplatform.com"];
const titleBytes = 2000;
const envelopeBytes = 1000;
const valueBytes = roomPerValue(teamsLimits.body, titleBytes + envelopeBytes + recordingLinkRoom, 400);
const legendBytes = 300;

const markdown = (raw: string, max: number) => clip(raw, max, escapeMarkdown, jsonBytes);

const rowStyle = markdownRowStyle(markdown, markdownInJsonBudget);

const templateFormat: TextFormat = {
  escape: escapeMarkdown,
  measure: jsonBytes,
  unit: "bytes",
  limit: teamsLimits.body - envelopeBytes,
};

const textBlock = (text: string, style: object = {}) => ({ type: "TextBlock", text, wrap: true, ...style });

/** An Adaptive Card 1.4 as a Workflows webhook takes it, with a button to the recording when there is one. */
function card(body: object[], recording?: RecordingLink | null) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
          actions: recording ? [{ type: "Action.OpenUrl", title: recording.label, url: recording.url }] : undefined,
          msteams: { width: "Full" },
        },
      },
    ],
  };
}

/** A call: the intent as a bold TextBlock, the facts as a FactSet, a button to the recording. */
function message(summary: CallSummary) {
  return card(
    [
      textBlock(markdown(summary.title, titleBytes), { weight: "Bolder", size: "Medium" }),
      {
        type: "FactSet",
        facts: summary.facts.map(({ label, value }) => ({
          title: label,
          value: value === null ? missingValue : markdown(value, valueBytes),
        })),
      },
    ],
    summary.recording,
  );
}

/** Several calls: the count as a bold TextBlock, a TextBlock per call, the legend subtle. */
function digest({ title, rows, legend }: DigestSummary) {
  return card([
    textBlock(title, { weight: "Bolder", size: "Medium" }),
    ...rows.map((row) => textBlock(digestRow(row, rowStyle).join(" · "), { spacing: "Small" })),
    textBlock(markdown(legend, legendBytes), { isSubtle: true, size: "Small" }),
  ]);
}

const titleColour = { critical: "Attention", warning: "Warning", info: "Accent" } as const;

/** An event: the title coloured by severity, facts as a FactSet, a TextBlock per list, the note subtle. */
function eventCard(summary: EventSummary) {
  return card([
    textBlock(summary.title, { weight: "Bolder", size: "Medium", color: titleColour[summary.severity] }),
    {
      type: "FactSet",
      facts: summary.facts.map(({ label, value }) => ({ title: label, value: markdown(value, valueBytes) })),
    },
    ...summary.sections.flatMap(({ heading, items }) => [
      textBlock(heading, { weight: "Bolder", spacing: "Medium" }),
      textBlock(markdown(bullets(items, "-"), valueBytes * 4), { spacing: "Small" }),
    ]),
    textBlock(markdown(summary.note, legendBytes), { isSubtle: true, size: "Small" }),
  ]);
}

function classify(response: ReceiverResponse): Verdict {
  const { status } = response;
  if (status === 404)
    return { outcome: "failed", reason: `${describeAnswer(response)}: the workflow no longer exists` };
  if (status === 401 || status === 403) {
    return { outcome: "failed", reason: `${describeAnswer(response)}: the workflow refused the URL; copy it again` };
  }
  return classifyHttpAnswer(response);
}

/** A `teams` destination's settings. */
export type TeamsConfig = {
  /** A Teams Workflows ("Post to a channel when a webhook request is received") URL, `sig` included. */
  url: string;
};

/** Adaptive Cards to a Microsoft Teams channel or chat through a Workflows (Power Automate) webhook. */
export const teams: DestinationType<TeamsConfig> = {
  type: "teams",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      url: platformUrl(
        ctx,
        (url) =>
          hostSuffixes.some((suffix) => url.hostname.endsWith(suffix)) &&
          /\/workflows\/[\w-]+\/triggers\/[\w-]+\/paths\/invoke\/?$/.test(url.pathname) &&
          url.searchParams.has("sig"),
        "a Teams Workflows webhook URL: https://….environment.api.powerplatform.com/…/workflows/…/triggers/manual/paths/invoke?…&sig=…",
      ),
    }),
  secretFields: ["url"],
  render: ({ config, call, options, template, recordingUrl }) =>
    jsonRequest(
      config.url,
      template
        ? card([textBlock(fillTextTemplate(template, call, options, templateFormat))])
        : message(callSummary(call, options, recordingUrl)),
    ),
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(teamsLimits.rates),
  digestMax: 25,
  renderDigest: ({ config, ...input }) =>
    jsonRequest(
      config.url,
      linkedDigest(input, digest, (message) => utf8Bytes(JSON.stringify(message)) <= teamsLimits.body),
    ),
  renderEvent: ({ config, event, options }) => jsonRequest(config.url, eventCard(eventSummary(event, options))),
  classify,
};
