import type { Lang } from "./i18n";

type Label = { en: [label: string, meaning: string]; zh: [label: string, meaning: string] };

/** Labels and meanings of destination settings (every type's config fields and the options), in both languages. */
const settingLabels: Record<string, Label> = {
  url: {
    en: ["URL", "Where messages are sent: the receiver's or the chat's incoming-webhook address."],
    zh: ["地址", "消息发送到的地址：接收方或群聊机器人的 Webhook 地址。"],
  },
  secret: {
    en: ["Signing secret", "Signs every message so the receiver can check it came from here."],
    zh: ["签名密钥", "为每条消息签名，接收方据此确认消息来自这里。"],
  },
  headers: {
    en: ["Extra headers", 'Headers sent with every request, as JSON: {"Authorization": "Bearer …"}.'],
    zh: ["附加请求头", '每个请求附带的请求头，JSON 格式：{"Authorization": "Bearer …"}。'],
  },
  botToken: {
    en: ["Bot token", "The Telegram bot's token from @BotFather."],
    zh: ["机器人令牌", "从 @BotFather 获得的 Telegram 机器人令牌。"],
  },
  chatId: {
    en: ["Chat id", "The chat, group or channel to post to."],
    zh: ["会话 ID", "要发送到的聊天、群组或频道。"],
  },
  messageThreadId: {
    en: ["Topic (thread) id", "Posts into one topic of a forum group."],
    zh: ["话题 ID", "发送到论坛群组中的某个话题。"],
  },
  apiBase: {
    en: ["API base URL", "Another Telegram Bot API server (leave blank for the official one)."],
    zh: ["API 基础地址", "其他 Telegram Bot API 服务器（留空即官方服务器）。"],
  },
  timezone: {
    en: ["Time zone", "Times in messages are shown in this IANA zone (default Asia/Shanghai)."],
    zh: ["时区", "消息中的时间按此 IANA 时区显示（默认 Asia/Shanghai）。"],
  },
  locale: {
    en: ["Language", "The language of messages (default English)."],
    zh: ["语言", "消息使用的语言（默认英语）。"],
  },
  maskCallee: {
    en: ["Mask callee numbers", "Hide the middle digits of the callee's number in messages."],
    zh: ["被叫号码打码", "在消息中隐藏被叫号码的中间几位。"],
  },
  silentMinutes: {
    en: [
      "Silence alert after (minutes)",
      "Alert when no push arrives for this long within the active hours (default 30).",
    ],
    zh: ["静默告警（分钟）", "在活跃时段内超过这么久没有推送即告警（默认 30）。"],
  },
  activeHours: {
    en: ["Active hours", "Local hours in which silence is reported, e.g. 09:00-21:00 (blank: all day)."],
    zh: ["活跃时段", "报告静默的本地时段，例如 09:00-21:00（留空：全天）。"],
  },
  dropRatio: {
    en: [
      "Connect-rate drop ratio",
      "Alert when an hour's connect rate is below this share of its 7-day average (default 0.5).",
    ],
    zh: ["接通率下降比例", "某小时接通率低于其 7 天平均值的这个比例时告警（默认 0.5）。"],
  },
  digestAt: {
    en: ["Daily digest at", "Local time of the daily digest (default 09:00)."],
    zh: ["每日摘要时间", "每日摘要的本地发送时间（默认 09:00）。"],
  },
};

/** A setting's label and meaning in `lang` (an unknown one reads as its name). */
export function settingLabel(name: string, lang: Lang): { label: string; meaning: string } {
  const found = settingLabels[name]?.[lang];
  return found ? { label: found[0], meaning: found[1] } : { label: name, meaning: "" };
}
