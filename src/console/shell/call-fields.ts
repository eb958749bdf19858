import { callFieldDocs } from "../../model/calls/field-docs";
import type { NormalizedCall } from "../../model/calls/fields";
import type { Lang } from "./i18n";

/** How a call field's value reads: an instant, seconds as `m:ss`, an amount in a currency, the callee, or as is. */
export type FieldKind = "instant" | "seconds" | "quote" | "local" | "eur" | "callee" | "plain";

/** The sections of a call's page, in order. */
export const callFieldGroups = ["outcome", "timing", "cost", "campaign", "call"] as const;
export type CallFieldGroup = (typeof callFieldGroups)[number];

type FieldDoc = { group: CallFieldGroup; kind: FieldKind; en: string; zh: string; zhMeaning: string };

const f = (group: CallFieldGroup, kind: FieldKind, en: string, zh: string, zhMeaning: string): FieldDoc => ({
  group,
  kind,
  en,
  zh,
  zhMeaning,
});

/**
 * Every field of a call as the console shows it: its section, how its value reads, and its label and meaning in
 * both languages (the English meaning is the OpenAPI document's, {@link callFieldDocs}; the Chinese follows the
 * platform's own page).
 */
export const callFields: Record<keyof NormalizedCall, FieldDoc> = {
  callStatusNew: f(
    "outcome",
    "plain",
    "Call status",
    "通话状态",
    "1 已接通，2 已接异常，3 未接通，4 未接异常（2026-03-24 起记录）。",
  ),
  callStatusLabel: f("outcome", "plain", "Call status (label)", "通话状态（标签）", "派生：通话状态的英文标签。"),
  callDescription: f(
    "outcome",
    "plain",
    "Call description",
    "通话描述",
    "1 有效通话，2 语音信箱，3 短秒挂断，4 无声，5 主叫挂断，6 被叫忙/拒接，7 被叫不在服务区，8 超时未接，10 线路余额播报。",
  ),
  callDescriptionLabel: f(
    "outcome",
    "plain",
    "Call description (label)",
    "通话描述（标签）",
    "派生：通话描述的英文标签。",
  ),
  connected: f(
    "outcome",
    "plain",
    "Connected",
    "接通",
    "派生：通话状态为 1；旧记录无该字段时，状态码为 0 且有接听时间。",
  ),
  intentCode: f("outcome", "plain", "Intent code", "意向代码", "最终意图的代码，例如 302：过滤条件通常按它筛选。"),
  intent: f("outcome", "plain", "Intent", "意向", "智能体识别的最终意图（文字）。"),
  terminationCode: f("outcome", "plain", "Termination code", "状态码", "0 为成功，其他为失败。"),
  terminationReason: f("outcome", "plain", "Termination reason", "状态码描述", "状态码的文字说明。"),
  sipCode: f("outcome", "plain", "SIP code", "SIP 码", "SIP 响应码，例如 200。"),
  callStatus: f("outcome", "plain", "Legacy status", "旧状态码", "旧的状态码；请优先使用通话状态。"),
  submitTime: f("timing", "instant", "Submitted", "提交时间", "呼叫提交的时间。"),
  callTime: f("timing", "instant", "Dialled", "呼叫时间", "开始呼叫的时间。"),
  ringingTime: f("timing", "instant", "Ringing", "响铃时间", "开始响铃的时间。"),
  answerTime: f("timing", "instant", "Answered", "接听时间", "被叫接听的时间。"),
  hangupTime: f("timing", "instant", "Hung up", "挂断时间", "挂断的时间。"),
  ringDuration: f("timing", "seconds", "Ringing time", "响铃时长", "响铃持续的时间。"),
  callDuration: f("timing", "seconds", "Talk time", "通话时长", "通话持续的时间。"),
  chargedDuration: f("timing", "seconds", "Line billed time", "线路计费时长", "线路按计费周期计费的时长。"),
  billPeriod: f(
    "timing",
    "plain",
    "Line billing period",
    "线路计费周期",
    "首个周期 + 之后每个周期（秒），例如 60+60。",
  ),
  aiAgentChargedDuration: f("timing", "seconds", "AI-agent billed time", "智能体计费时长", "智能体产品计费的时长。"),
  aiAgentBillPeriod: f("timing", "plain", "AI-agent billing period", "智能体计费周期", "例如 60+60。"),
  receivedAt: f("timing", "instant", "Received", "接收时间", "派生：最近一次更新此通话的推送到达的时间。"),
  currency: f("cost", "plain", "Quote currency", "报价币种", "报价币种（非美元时才有值；为空即美元）。"),
  quoteExchange: f("cost", "plain", "Quote exchange rate", "报价汇率", "客户侧报价汇率（报价币种非美元时有值）。"),
  rate: f("cost", "quote", "Line rate", "线路费率", "线路费率（报价币种）。"),
  cost: f("cost", "quote", "Line cost", "线路消费金额", "线路消费金额（报价币种）。"),
  costEur: f("cost", "eur", "Line cost in EUR", "线路消费金额（欧元）", "线路消费金额，以欧元计。"),
  settleRate: f("cost", "local", "Line rate (local)", "线路本币费率", "线路本币费率（报价币种非美元时有值）。"),
  settlePay: f("cost", "local", "Line cost (local)", "线路本币消费金额", "线路本币消费金额（报价币种非美元时有值）。"),
  aiAgentRate: f(
    "cost",
    "local",
    "AI-agent rate (local)",
    "智能体本币费率",
    "智能体产品本币费率（报价币种非美元时有值）。",
  ),
  aiAgentFee: f(
    "cost",
    "local",
    "AI-agent cost (local)",
    "智能体本币消费金额",
    "智能体产品本币消费金额（报价币种非美元时有值）。",
  ),
  aiAgentQuoteRate: f("cost", "quote", "AI-agent rate", "智能体费率", "智能体费率（报价币种）。"),
  aiAgentQuoteFee: f("cost", "quote", "AI-agent cost", "智能体消费金额", "智能体产品消费金额（报价币种）。"),
  taskId: f("campaign", "plain", "Task", "任务 ID", "任务（活动）ID。"),
  sourceTaskId: f("campaign", "plain", "Parent task", "父级群呼任务 ID", "父级群呼任务 ID。"),
  scriptId: f("campaign", "plain", "Script", "智能体模板 ID", "智能体模板（话术）ID。"),
  type: f("campaign", "plain", "Business type", "业务类型", "1 为智能体群呼。"),
  voiceId: f("call", "plain", "voiceId", "记录 ID", "平台的唯一记录 ID；与来源一起确定一通电话。"),
  sourceId: f("call", "plain", "Source", "来源", "派生：通话经由的来源（推送地址）。"),
  callee: f("call", "callee", "Callee", "被叫号码", "被叫号码。个人数据：默认打码显示。"),
  displayNum: f("call", "plain", "Caller id", "显示号码", "向被叫显示的号码。"),
  code: f("call", "plain", "Region or carrier", "地区运营商", "地区或运营商代码。"),
  calledInfo: f("call", "plain", "Callee information", "被叫信息", "被叫的相关信息。"),
  recordingFileId: f("call", "plain", "Recording id", "通话录音 ID", "录音的 ID。"),
  recordingFileUrl: f("call", "plain", "Recording URL", "录音地址", "录音的地址。"),
};

/** A call field's label in `lang`. */
export function fieldLabel(name: keyof NormalizedCall, lang: Lang): string {
  return callFields[name][lang];
}

/** A call field's meaning in `lang` (English: the OpenAPI description, without Markdown). */
export function fieldMeaning(name: keyof NormalizedCall, lang: Lang): string {
  return lang === "zh" ? callFields[name].zhMeaning : callFieldDocs[name].replace(/`/g, "");
}

/** A duration in whole seconds as a clock: `0:35`, `1:05`, `1:02:05`. */
export function clockDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/**
 * The currency an amount field is in: the quote currency (USD when the platform leaves `currency` empty), EUR, or
 * the account's local currency, which the record does not name.
 */
export function amountCurrency(kind: FieldKind, currency: string | null, localName: string): string {
  if (kind === "eur") return "EUR";
  if (kind === "local") return localName;
  return currency ?? "USD";
}
