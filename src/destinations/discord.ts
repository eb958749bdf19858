import { z } from "zod";
import { type CallFact, type CallSummary, callSummary, missingValue, roomPerValue } from "./call-facts";
import {
  classifyHttpAnswer,
  describeAnswer,
  jsonRequest,
  jsonRetryAfter,
  parseRetryAfter,
  readJsonObject,
} from "./http-answer";
import { discordLimits } from "./limits";
import { platformUrl } from "./platform-url";
import { clip, escapeMarkdown } from "./text";
import type { DestinationType, ReceiverResponse, Verdict } from "./types";

const hosts = new Set(["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"]);
const valueMax = Math.min(
  discordLimits.fieldValue,
  roomPerValue(discordLimits.embedTotal, discordLimits.embedTitle, 20),
);

function field({ label, value, verbatim }: CallFact) {
  if (value === null) return { name: label, value: missingValue, inline: true };
  const shown = verbatim
    ? `\`${clip(value.replaceAll("`", "'"), valueMax - 2)}\``
    : clip(value, valueMax, escapeMarkdown);
  return { name: label, value: shown, inline: true };
}

/** A call as one embed: the intent as title, facts as inline fields; mentions never ping. */
function message(summary: CallSummary) {
  return {
    embeds: [
      { title: clip(summary.title, discordLimits.embedTitle, escapeMarkdown), fields: summary.facts.map(field) },
    ],
    allowed_mentions: { parse: [] },
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
  render({ config, call, options }) {
    const url = new URL(config.url);
    url.searchParams.set("wait", "true");
    return jsonRequest(url.href, message(callSummary(call, options)));
  },
  classify,
};
