import { formatDuration, formatInstant } from "../lib/format-time";
import { maskPhone } from "../lib/mask";
import { type NormalizedCall, upstreamFields } from "../model/calls/fields";
import { MAX_RECORDING_LINK } from "./recording-link";
import { escapeMarkdown, oneLine } from "./text";
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

/** A link to a call's recording and the text it shows. */
export interface RecordingLink {
  label: string;
  /** Holds nothing any platform's markup needs escaped (see `recordings/link.ts`). */
  url: string;
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
  /** The call's recording link and its text, shown whole (never cut) outside the facts; `null` without one. */
  recording: RecordingLink | null;
}

/** What a message keeps for a call's recording link, its text and markup, besides its facts. */
export const recordingLinkRoom = MAX_RECORDING_LINK + 200;

/** What a message shows for a fact the call lacks. */
export const missingValue = "—";

/**
 * How much each fact's value may take so that a message stays within `limit`: `title` is kept for the title (and
 * the message's fixed parts), `markup` for each fact's label and formatting.
 */
export function roomPerValue(limit: number, title: number, markup: number): number {
  return Math.floor((limit - title) / factKeys.length) - markup;
}

const labels: Record<Locale, Record<FactKey | "title" | "intent" | "yes" | "no" | "listen", string>> = {
  en: {
    title: "Call report",
    listen: "Listen to the recording",
    yes: "yes",
    no: "no",
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
    listen: "收听录音",
    yes: "是",
    no: "否",
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

const timeFields = new Set<string>([
  ...Object.entries(upstreamFields).flatMap(([field, kind]) => (kind === "time" ? [field] : [])),
  "receivedAt",
]);
const durationFields = new Set<string>(["ringDuration", "callDuration", "chargedDuration", "aiAgentChargedDuration"]);

/**
 * A field of `call` as a chat message shows it, on one line: times in `options.timezone`, durations spelled out, the
 * callee masked unless `options.maskCallee` is false, yes/no and status labels in `options.locale`; `null` when the
 * call lacks it.
 */
export function readableValue(
  call: NormalizedCall,
  field: keyof NormalizedCall,
  options: DestinationOptions,
): string | null {
  const { locale } = options;
  const value = call[field];
  if (value === null) return null;
  if (typeof value === "boolean") return labels[locale][value ? "yes" : "no"];
  if (typeof value === "number") {
    if (timeFields.has(field)) return formatInstant(value, options.timezone);
    return durationFields.has(field) ? formatDuration(value, locale) : String(value);
  }
  if (field === "callee" && options.maskCallee) return oneLine(maskPhone(value));
  if (field === "callStatusLabel" || field === "callDescriptionLabel") return codeLabel(value, null, locale);
  return oneLine(value);
}

const link = (label: string, url: string | undefined): RecordingLink | null => (url ? { label, url } : null);

/**
 * The facts of `call` as a chat message states them: the intent as title, the callee masked unless
 * `options.maskCallee` is false, times in `options.timezone`, labels and status values in `options.locale`, and the
 * recording link when there is one. Platforms lay these out and escape them; a list of several calls can show each
 * one's `title` and `headline`.
 */
export function callSummary(call: NormalizedCall, options: DestinationOptions, recordingUrl?: string): CallSummary {
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
    fact("callee", readableValue(call, "callee", options), true),
    fact("caller", call.displayNum, true),
    fact("answered", readableValue(call, "answerTime", options)),
    fact("talkTime", readableValue(call, "callDuration", options)),
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
    recording: link(l.listen, recordingUrl),
  };
}

/** One call as a row of a digest (a message listing several calls). */
export interface DigestRow {
  title: string;
  intentCode: string | null;
  callee: string | null;
  talkTime: string | null;
  /** The answer time without year and seconds, `03-26 15:22`. */
  answered: string | null;
  callId: string;
  /** The call's recording link, shown whole after the call ID; `null` without one. */
  recording: RecordingLink | null;
}

/** What a digest says, before a platform lays it out. */
export interface DigestSummary {
  /** `12 calls`, `12 通电话`. */
  title: string;
  rows: DigestRow[];
  /** What a row's parts are, and the time zone of its times. */
  legend: string;
}

/**
 * Several calls as a digest: a title counting them, one row per call from its {@link callSummary} (with the link at
 * the call's index in `recordingUrls`), and a legend.
 */
export function digestSummary(
  calls: readonly NormalizedCall[],
  options: DestinationOptions,
  recordingUrls: readonly (string | undefined)[] = [],
): DigestSummary {
  const l = labels[options.locale];
  const rows = calls.map((call, i) => {
    const summary = callSummary(call, options);
    const value = (key: FactKey) => summary.facts.find((f) => f.key === key)?.value ?? null;
    return {
      title: summary.title,
      intentCode: value("intentCode"),
      callee: value("callee"),
      talkTime: value("talkTime"),
      answered: value("answered")?.slice("yyyy-".length, "yyyy-MM-dd HH:mm".length) ?? null,
      callId: value("callId") ?? call.voiceId,
      recording: link(l.recording, recordingUrls[i]),
    };
  });
  const parts = `${l.intent} (${l.intentCode}) · ${l.callee} · ${l.talkTime} · ${l.answered} · ${l.callId}`;
  return options.locale === "zh"
    ? { title: `${calls.length} 通电话`, rows, legend: `${parts}；时间为 ${options.timezone}` }
    : {
        title: `${calls.length} call${calls.length === 1 ? "" : "s"}`,
        rows,
        legend: `${parts}; times in ${options.timezone}`,
      };
}

/**
 * The digest of `input`'s calls as `build` lays it out, with its rows' recording links when the message `fits` the
 * platform's limit with them, and without any otherwise (its rows are budgeted for the costliest calls, links not
 * included).
 */
export function linkedDigest<T>(
  input: {
    calls: readonly NormalizedCall[];
    options: DestinationOptions;
    recordingUrls?: readonly (string | undefined)[];
  },
  build: (summary: DigestSummary) => T,
  fits: (message: T) => boolean,
): T {
  const summary = digestSummary(input.calls, input.options, input.recordingUrls);
  const message = build(summary);
  if (fits(message) || summary.rows.every((row) => row.recording === null)) return message;
  return build({ ...summary, rows: summary.rows.map((row) => ({ ...row, recording: null })) });
}

/** How much each cut part of a digest row may measure, in the platform's unit: what keeps a row compact. */
export interface RowBudget {
  title: number;
  intentCode: number;
  callee: number;
  talkTime: number;
}

/** A row's budget in characters, where escapes add little. */
export const rowBudget: RowBudget = { title: 60, intentCode: 16, callee: 48, talkTime: 24 };

/** A row's budget in bytes of Markdown in JSON: a masked number is mostly `*`, and each `\\*` takes three. */
export const markdownInJsonBudget: RowBudget = { ...rowBudget, callee: 64 };

/** How a platform writes a digest row. */
export interface RowStyle {
  budget: RowBudget;
  /** `raw` escaped and cut to measure at most `max`. */
  text(raw: string, max: number): string;
  /** `raw` escaped (in monospace where the platform has it); cut to measure at most `max` when given. */
  verbatim(raw: string, max?: number): string;
  strong(text: string): string;
  /** A recording link in the row's text; without it a platform shows the link its own way, or not at all. */
  link?(link: RecordingLink): string;
}

/** The row style of the Markdown platforms: `markdown` escapes and cuts, bold is `**…**`. */
export function markdownRowStyle(markdown: (raw: string, max: number) => string, budget: RowBudget): RowStyle {
  return {
    budget,
    text: markdown,
    verbatim: (raw, max) => (max === undefined ? escapeMarkdown(raw) : markdown(raw, max)),
    strong: (text) => `**${text}**`,
    link: markdownLink,
  };
}

/** A recording link in Markdown: neither its label nor its URL needs escaping. */
export const markdownLink = ({ label, url }: RecordingLink) => `[${label}](${url})`;

/**
 * A digest row as `[head, details]`: the intent in bold with its code, then callee · talk time · answered · call ID
 * (· recording link), missing parts as {@link missingValue}. The call ID and link are never cut; everything else fits
 * the style's budget.
 */
export function digestRow(row: DigestRow, style: RowStyle): [head: string, details: string] {
  const { budget } = style;
  const code = row.intentCode === null ? "" : ` (${style.text(row.intentCode, budget.intentCode)})`;
  return [
    style.strong(style.text(row.title, budget.title)) + code,
    [
      row.callee === null ? missingValue : style.verbatim(row.callee, budget.callee),
      row.talkTime === null ? missingValue : style.text(row.talkTime, budget.talkTime),
      row.answered ?? missingValue,
      style.verbatim(row.callId),
      ...(row.recording && style.link ? [style.link(row.recording)] : []),
    ].join(" · "),
  ];
}
