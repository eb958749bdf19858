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
  roomPerValue,
  rowBudget,
} from "../call-facts";
import { bullets, type EventSummary, eventSummary, severityMark } from "../event-summary";
import {
  classifyHttpAnswer,
  describeAnswer,
  jsonRequest,
  jsonRetryAfter,
  parseRetryAfter,
  readJsonObject,
} from "../http-answer";
import { paceRules, telegramLimits } from "../limits";
import { clip, escapeHtml, type Measure } from "../text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "../text-template";
import type { DestinationType, ReceiverResponse, Verdict } from "../types";
import { destinationUrlSchema } from "../url-rules";

const defaultApiBase = "https://api.telegram.org";
const titleMax = 1000;
const valueMax = roomPerValue(telegramLimits.text, titleMax + 10, 40);

/** `400 Bad Request` descriptions that only a change of chat, topic or rights fixes. */
const permanentBadRequest =
  /chat not found|thread not found|not enough rights|have no rights|CHAT_WRITE_FORBIDDEN|TOPIC_CLOSED|TOPIC_DELETED|chat was deactivated/i;

const html = (raw: string, max: number) => clip(raw, max, escapeHtml);

/** What Telegram counts of HTML: characters after parsing, each entity one (tags are counted, which is more). */
const parsedLength: Measure = (text) => text.replace(/&(?:amp|lt|gt);/g, "&").length;
const shown = (raw: string, max: number) => clip(raw, max, escapeHtml, parsedLength);

const rowStyle: RowStyle = {
  budget: rowBudget,
  text: shown,
  verbatim: (raw, max) => `<code>${max === undefined ? escapeHtml(raw) : shown(raw, max)}</code>`,
  strong: (text) => `<b>${text}</b>`,
  link: ({ label, url }) => `<a href="${url}">${label}</a>`,
};
const legendMax = 150;
const sectionMax = 1000;

const templateFormat: TextFormat = {
  escape: escapeHtml,
  measure: parsedLength,
  unit: "characters",
  limit: telegramLimits.text,
};

/** A call as HTML text: the intent in bold, then one line per fact. */
function message(summary: CallSummary): string {
  const lines = summary.facts.map(({ label, value, verbatim }) => {
    const shown =
      value === null ? missingValue : verbatim ? `<code>${html(value, valueMax)}</code>` : html(value, valueMax);
    return `<b>${escapeHtml(label)}</b>${summary.colon}${shown}`;
  });
  return [`<b>${html(summary.title, titleMax)}</b>`, "", ...lines].join("\n");
}

/** What a message measures: tags counted (which is more than Telegram counts), links' targets not (Telegram neither). */
const textLength = (html: string) => parsedLength(html.replace(/ href="[^"]*"/g, ""));

/** Several calls as HTML text: the count in bold, a line per call, the legend in italics. */
function digest({ title, rows, legend }: DigestSummary): string {
  const lines = rows.map((row) => `• ${digestRow(row, rowStyle).join(" · ")}`);
  return [`<b>${escapeHtml(title)}</b>`, "", ...lines, "", `<i>${shown(legend, legendMax)}</i>`].join("\n");
}

/** An event as HTML text: the marked title in bold, a line per fact, each list with bullets, the note in italics. */
function eventText(summary: EventSummary): string {
  const facts = summary.facts.map(
    ({ label, value }) => `<b>${escapeHtml(label)}</b>${summary.colon}${html(value, valueMax)}`,
  );
  const sections = summary.sections.flatMap(({ heading, items }) => [
    "",
    `<b>${escapeHtml(heading)}</b>`,
    html(bullets(items), sectionMax),
  ]);
  return [
    `<b>${severityMark[summary.severity]} ${escapeHtml(summary.title)}</b>`,
    "",
    ...facts,
    ...sections,
    "",
    `<i>${shown(summary.note, legendMax)}</i>`,
  ].join("\n");
}

function classify(response: ReceiverResponse): Verdict {
  const { status } = response;
  const answer = readJsonObject(response.body);
  if (status >= 200 && status < 300) {
    if (answer?.ok === true) return { outcome: "delivered" };
    return { outcome: "retry", reason: `Telegram did not confirm the message: ${describeAnswer(response)}` };
  }
  const description = typeof answer?.description === "string" ? answer.description : "";
  const reason = description ? `Telegram answered ${status}: ${description.slice(0, 200)}` : describeAnswer(response);
  const parameters = answer?.parameters as Record<string, unknown> | undefined;
  if (status === 429) {
    const retryAfterSeconds =
      jsonRetryAfter(parameters?.retry_after) ?? parseRetryAfter(response.headers.get("retry-after"));
    return retryAfterSeconds === undefined
      ? { outcome: "retry", reason }
      : { outcome: "retry", reason, retryAfterSeconds };
  }
  const newChat = parameters?.migrate_to_chat_id;
  if (typeof newChat === "number") {
    return { outcome: "failed", reason: `${reason}: the group became a supergroup; set chatId to ${newChat}` };
  }
  if (status === 401 || status === 404) {
    return { outcome: "failed", reason: `${reason}: the bot token is wrong or was revoked` };
  }
  if (status === 403) {
    return {
      outcome: "failed",
      reason: `${reason}: the bot may not post in this chat (blocked, removed or not a member)`,
    };
  }
  if (status === 400 && permanentBadRequest.test(description)) {
    return { outcome: "failed", reason: `${reason}: fix the chat, the topic or the bot's rights` };
  }
  const verdict = classifyHttpAnswer(response);
  return verdict.outcome === "delivered" ? verdict : { ...verdict, reason };
}

/** Sends HTML text, with a button under it to the recording when there is one. */
function sendMessage(config: TelegramConfig, text: string, recording?: RecordingLink | null) {
  const base = (config.apiBase ?? defaultApiBase).replace(/\/+$/, "");
  return jsonRequest(`${base}/bot${config.botToken}/sendMessage`, {
    chat_id: config.chatId,
    message_thread_id: config.messageThreadId,
    text,
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: recording ? { inline_keyboard: [[{ text: recording.label, url: recording.url }]] } : undefined,
  });
}

/** A `telegram` destination's settings. */
export type TelegramConfig = {
  /** The bot's token from @BotFather: `123456789:AA…`. */
  botToken: string;
  /** A chat id (`-1001234567890`) or a public channel's `@username`. */
  chatId: string;
  /** A topic of a forum supergroup to post in. */
  messageThreadId?: number;
  /** A self-hosted Bot API server (default `https://api.telegram.org`); plain http to loopback with `ALLOW_HTTP_DESTINATIONS`. */
  apiBase?: string;
};

/** HTML messages through a Telegram bot's `sendMessage`. */
export const telegram: DestinationType<TelegramConfig> = {
  type: "telegram",
  chat: true,
  configSchema: (ctx) =>
    z.strictObject({
      botToken: z
        .string({ error: "must be a string" })
        .trim()
        .regex(
          /^\d{1,20}:[\w-]{30,100}$/,
          "must be a bot token from @BotFather: <digits>:<35 letters, digits, - or _>",
        ),
      chatId: z
        .union([z.string(), z.number()], { error: "must be a chat id or a @username" })
        .transform((id) => String(id).trim())
        .pipe(
          z
            .string()
            .regex(
              /^(-?\d{1,20}|@[A-Za-z]\w{3,31})$/,
              "must be a chat id such as -1001234567890 or a channel's @username",
            ),
        ),
      messageThreadId: z.int({ error: "must be a topic id (a whole number)" }).positive().optional(),
      apiBase: destinationUrlSchema(ctx, (url) =>
        url.search || url.hash ? "must be the Bot API server's base URL, without a query" : undefined,
      ).optional(),
    }),
  secretFields: ["botToken"],
  render: ({ config, call, options, template, recordingUrl }) => {
    if (template) return sendMessage(config, fillTextTemplate(template, call, options, templateFormat));
    const summary = callSummary(call, options, recordingUrl);
    return sendMessage(config, message(summary), summary.recording);
  },
  checkTemplate: (parts) => textTemplateProblem(parts, templateFormat),
  rateLimits: paceRules(telegramLimits.rates),
  digestMax: 13,
  renderDigest: ({ config, ...input }) =>
    sendMessage(
      config,
      linkedDigest(input, digest, (text) => textLength(text) <= telegramLimits.text),
    ),
  renderEvent: ({ config, event, options }) => sendMessage(config, eventText(eventSummary(event, options))),
  classify,
};
