import { z } from "zod";
import { type CallSummary, callSummary, missingValue, roomPerValue } from "./call-facts";
import { classifyHttpAnswer, describeAnswer, jsonRequest } from "./http-answer";
import { teamsLimits } from "./limits";
import { platformUrl } from "./platform-url";
import { clip, escapeMarkdown, jsonBytes } from "./text";
import type { DestinationType, ReceiverResponse, Verdict } from "./types";

const hostSuffixes = [".logic.azure.com", ".environment.api.powerplatform.com"];
const titleBytes = 2000;
const valueBytes = roomPerValue(teamsLimits.body, titleBytes + 1000, 400);

const markdown = (raw: string, max: number) => clip(raw, max, escapeMarkdown, jsonBytes);

/** A call as an Adaptive Card 1.4: the intent as a bold TextBlock, the facts as a FactSet. */
function message(summary: CallSummary) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              text: markdown(summary.title, titleBytes),
              weight: "Bolder",
              size: "Medium",
              wrap: true,
            },
            {
              type: "FactSet",
              facts: summary.facts.map(({ label, value }) => ({
                title: label,
                value: value === null ? missingValue : markdown(value, valueBytes),
              })),
            },
          ],
          msteams: { width: "Full" },
        },
      },
    ],
  };
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
  render: ({ config, call, options }) => jsonRequest(config.url, message(callSummary(call, options))),
  classify,
};
