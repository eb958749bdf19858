import { z } from "zod";
import type { NormalizedCall } from "../ingest/fields";
import { formatDuration, formatInstant } from "../lib/format-time";
import { maskPhone } from "../lib/mask";
import type { DestinationOptions, DestinationType, ReceiverResponse, Verdict } from "./types";
import { destinationUrlSchema, isLoopbackHost } from "./url-rules";
import { classifyHttpAnswer, userAgent } from "./webhook";

/**
 * Block Kit limits, in characters or items, that a message must stay within.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */
export const slackLimits = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
} as const;

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

type Locale = DestinationOptions["locale"];
type LabelKey =
  | "title"
  | "intent"
  | "callee"
  | "caller"
  | "answered"
  | "talkTime"
  | "status"
  | "result"
  | "intentCode"
  | "taskScript"
  | "recording"
  | "callId";

const labels: Record<Locale, Record<LabelKey, string>> = {
  en: {
    title: "Call report",
    intent: "Intent",
    callee: "Callee",
    caller: "Caller ID",
    answered: "Answered",
    talkTime: "Talk time",
    status: "Status",
    result: "Result",
    intentCode: "Intent code",
    taskScript: "Task / script",
    recording: "Recording",
    callId: "Call ID",
  },
  zh: {
    title: "通话报告",
    intent: "意图",
    callee: "被叫",
    caller: "主叫",
    answered: "接通时间",
    talkTime: "通话时长",
    status: "接通状态",
    result: "通话结果",
    intentCode: "意图代码",
    taskScript: "任务 / 话术",
    recording: "录音",
    callId: "通话 ID",
  },
};

const none = "—";

/** Escapes the characters Slack parses as control sequences (`<!channel>`, links), per its formatting docs. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escaped `raw`, cut with `…` to at most `max` characters without splitting an entity or a code point. */
function clip(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  let out = "";
  for (const char of raw) {
    const piece = escapeMrkdwn(char);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

const present = (value: string | null): value is string => value !== null && value.trim() !== "";

function field(label: string, raw: string | null, asCode = false) {
  const prefix = `*${label}*\n`;
  if (!present(raw)) return { type: "mrkdwn", text: prefix + none };
  const room = slackLimits.fieldText - prefix.length - (asCode ? 2 : 0);
  const value = clip(asCode ? raw.replaceAll("`", "'") : raw, room);
  return { type: "mrkdwn", text: prefix + (asCode ? `\`${value}\`` : value) };
}

const labelled = (label: string | null, value: number | null) => label ?? (value === null ? null : String(value));

function message(call: NormalizedCall, options: DestinationOptions) {
  const l = labels[options.locale];
  const intent = present(call.intent) ? call.intent.replace(/\s+/g, " ").trim() : null;
  const callee = options.maskCallee ? maskPhone(call.callee) : call.callee;
  const talkTime = call.callDuration === null ? null : formatDuration(call.callDuration, options.locale);
  const title = clip(intent ?? l.title, slackLimits.headerText);
  const blocks: object[] = [{ type: "header", text: { type: "plain_text", text: title } }];
  if (intent && escapeMrkdwn(intent).length > slackLimits.headerText) {
    const prefix = `*${l.intent}*\n`;
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: prefix + clip(intent, slackLimits.sectionText - prefix.length) },
    });
  }
  blocks.push({
    type: "section",
    fields: [
      field(l.callee, callee, true),
      field(l.caller, call.displayNum, true),
      field(l.answered, call.answerTime === null ? null : formatInstant(call.answerTime, options.timezone)),
      field(l.talkTime, talkTime),
      field(l.status, labelled(call.callStatusLabel, call.callStatusNew)),
      field(l.result, labelled(call.callDescriptionLabel, call.callDescription)),
      field(l.intentCode, call.intentCode),
      field(l.taskScript, `${call.taskId ?? none} / ${call.scriptId ?? none}`),
      field(l.recording, call.recordingFileId),
      field(l.callId, call.voiceId, true),
    ],
  });
  const facts = [`${l.callee}: ${present(callee) ? callee : none}`, `${l.talkTime}: ${talkTime ?? none}`];
  return { text: [title, ...facts.map((fact) => clip(fact, slackLimits.headerText))].join(" · "), blocks };
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
      url: destinationUrlSchema(ctx, (url) => {
        if (slackHosts.has(url.hostname) && /^\/services\/./.test(url.pathname)) return undefined;
        if (ctx.allowHttp && isLoopbackHost(url.hostname)) return undefined;
        return "must be a Slack incoming-webhook URL: https://hooks.slack.com/services/…";
      }),
    }),
  secretFields: ["url"],
  render: ({ config, call, options }) => ({
    url: config.url,
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify(message(call, options)),
  }),
  classify,
};
