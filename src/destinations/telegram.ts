import { z } from "zod";
import { type CallSummary, callSummary, missingValue, roomPerValue } from "./call-facts";
import {
  classifyHttpAnswer,
  describeAnswer,
  jsonRequest,
  jsonRetryAfter,
  parseRetryAfter,
  readJsonObject,
} from "./http-answer";
import { telegramLimits } from "./limits";
import { clip, escapeHtml } from "./text";
import type { DestinationType, ReceiverResponse, Verdict } from "./types";

const apiBase = "https://api.telegram.org";
const titleMax = 1000;
const valueMax = roomPerValue(telegramLimits.text, titleMax + 10, 40);

/** `400 Bad Request` descriptions that only a change of chat, topic or rights fixes. */
const permanentBadRequest =
  /chat not found|thread not found|not enough rights|have no rights|CHAT_WRITE_FORBIDDEN|TOPIC_CLOSED|TOPIC_DELETED|chat was deactivated/i;

const html = (raw: string, max: number) => clip(raw, max, escapeHtml);

/** A call as HTML text: the intent in bold, then one line per fact. */
function message(summary: CallSummary): string {
  const lines = summary.facts.map(({ label, value, verbatim }) => {
    const shown =
      value === null ? missingValue : verbatim ? `<code>${html(value, valueMax)}</code>` : html(value, valueMax);
    return `<b>${escapeHtml(label)}</b>${summary.colon}${shown}`;
  });
  return [`<b>${html(summary.title, titleMax)}</b>`, "", ...lines].join("\n");
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

/** A `telegram` destination's settings. */
export type TelegramConfig = {
  /** The bot's token from @BotFather: `123456789:AA…`. */
  botToken: string;
  /** A chat id (`-1001234567890`) or a public channel's `@username`. */
  chatId: string;
  /** A topic of a forum supergroup to post in. */
  messageThreadId?: number;
};

/** HTML messages through a Telegram bot's `sendMessage`. */
export const telegram: DestinationType<TelegramConfig> = {
  type: "telegram",
  chat: true,
  configSchema: () =>
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
    }),
  secretFields: ["botToken"],
  render: ({ config, call, options }) =>
    jsonRequest(`${apiBase}/bot${config.botToken}/sendMessage`, {
      chat_id: config.chatId,
      message_thread_id: config.messageThreadId,
      text: message(callSummary(call, options)),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    }),
  classify,
};
