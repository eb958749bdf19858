import type { NormalizedCall } from "../ingest/fields";
import { formatDuration, formatInstant } from "../lib/format-time";
import { maskPhone } from "../lib/mask";
import { oneLine } from "./text";
import type { DestinationOptions } from "./types";

type Locale = DestinationOptions["locale"];

const factKeys = [
  "callee",
  "caller",
  "answered",
  "talkTime",
  "status",
  "result",
  "intentCode",
  "taskScript",
  "recording",
  "callId",
] as const;

/** Which fact a line shows, the same in every locale. */
export type FactKey = (typeof factKeys)[number];

/** One labelled fact of a call, localized and on one line. */
export interface CallFact {
  key: FactKey;
  label: string;
  /** The value as shown, or `null` when the call lacks it (shown as {@link missingValue}). */
  value: string | null;
  /** An identifier best shown verbatim, in monospace where the platform has it. */
  verbatim: boolean;
}

/** What every chat message says about a call, before a platform lays it out. */
export interface CallSummary {
  /** The intent on one line, or a localized "Call report" when the call has none. */
  title: string;
  /** The intent on one line, or `null`. */
  intent: string | null;
  /** The label a platform puts before the intent when it shows it in full. */
  intentLabel: string;
  facts: CallFact[];
  /** Callee and talk time: what a one-line preview or a row of a list of calls shows. */
  headline: CallFact[];
  /** What separates a label from its value in running text: `": "` or `"："`. */
  colon: string;
}

/** What a message shows for a fact the call lacks. */
export const missingValue = "—";

/**
 * How much each fact's value may take so that a message stays within `limit`: `title` is kept for the title (and
 * the message's fixed parts), `markup` for each fact's label and formatting.
 */
export function roomPerValue(limit: number, title: number, markup: number): number {
  return Math.floor((limit - title) / factKeys.length) - markup;
}

const labels: Record<Locale, Record<FactKey | "title" | "intent", string>> = {
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
    result: "通话描述",
    intentCode: "意图代码",
    taskScript: "任务 / 话术",
    recording: "录音",
    callId: "通话 ID",
  },
};

/** Chinese for the stable labels of `callStatusNew` and `callDescription` (see `ingest/labels.ts`). */
export const zhValueLabels: Readonly<Record<string, string>> = {
  connected: "已接通",
  connected_abnormal: "接通异常",
  not_connected: "未接通",
  not_connected_abnormal: "未接通（异常）",
  valid_call: "有效通话",
  voicemail: "语音信箱",
  short_hangup: "秒挂",
  silence: "无声",
  caller_hung_up: "主叫挂断",
  callee_busy_or_rejected: "被叫忙或拒接",
  callee_unreachable: "被叫无法接通",
  no_answer: "无人接听",
  balance_announcement: "欠费提示音",
};

function codeLabel(label: string | null, code: number | null, locale: Locale): string | null {
  if (label !== null) return locale === "zh" ? (zhValueLabels[label] ?? label) : label;
  return code === null ? null : String(code);
}

/**
 * The facts of `call` as a chat message states them: the intent as title, the callee masked unless
 * `options.maskCallee` is false, times in `options.timezone`, labels and status values in `options.locale`.
 * Platforms lay these out and escape them; a list of several calls can show each one's `title` and `headline`.
 */
export function callSummary(call: NormalizedCall, options: DestinationOptions): CallSummary {
  const { locale } = options;
  const l = labels[locale];
  const fact = (key: FactKey, value: string | null, verbatim = false): CallFact => ({
    key,
    label: l[key],
    value: oneLine(value),
    verbatim,
  });
  const intent = oneLine(call.intent);
  const facts: CallFact[] = [
    fact("callee", options.maskCallee ? maskPhone(call.callee) : call.callee, true),
    fact("caller", call.displayNum, true),
    fact("answered", call.answerTime === null ? null : formatInstant(call.answerTime, options.timezone)),
    fact("talkTime", call.callDuration === null ? null : formatDuration(call.callDuration, locale)),
    fact("status", codeLabel(call.callStatusLabel, call.callStatusNew, locale)),
    fact("result", codeLabel(call.callDescriptionLabel, call.callDescription, locale)),
    fact("intentCode", call.intentCode),
    fact("taskScript", `${call.taskId ?? missingValue} / ${call.scriptId ?? missingValue}`),
    fact("recording", call.recordingFileId),
    fact("callId", call.voiceId, true),
  ];
  return {
    title: intent ?? l.title,
    intent,
    intentLabel: l.intent,
    facts,
    headline: facts.filter((f) => f.key === "callee" || f.key === "talkTime"),
    colon: locale === "zh" ? "：" : ": ",
  };
}
