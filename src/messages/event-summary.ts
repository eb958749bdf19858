import { formatClock, formatMoney } from "../lib/format-amounts";
import { formatInstant } from "../lib/format-time";
import type { EventData, OperationEvent } from "../model/events/types";
import { clip, oneLine } from "./text";
import type { DestinationOptions } from "./types";

/** How urgent an event is: platforms colour or mark it accordingly. */
export type Severity = "critical" | "warning" | "info";

/** A labelled list inside an event message (top intents, rejection reasons…). */
export interface EventSection {
  heading: string;
  items: string[];
}

/** What every chat message says about an event, before a platform lays it out and escapes it. */
export interface EventSummary {
  severity: Severity;
  /** A short headline, without emoji. */
  title: string;
  facts: { label: string; value: string }[];
  sections: EventSection[];
  /** The event type and the time zone of its times. */
  note: string;
  /** `": "` or `"："`. */
  colon: string;
}

/** Most characters of one list item (an intent and its count, a rejection reason). */
export const EVENT_ITEM_MAX = 100;

/** A section's items as lines starting with `mark`. */
export const bullets = (items: readonly string[], mark = "•") => items.map((line) => `${mark} ${line}`).join("\n");

/** Most characters of user or receiver text (names, reasons, answers) shown in an event. */
export const EVENT_TEXT_MAX = 300;

type Locale = DestinationOptions["locale"];
const en = {
  destination: "Destination",
  reason: "Reason",
  lastAnswer: "Last answer",
  count: "Count",
  lastError: "Last error",
  failures: "Failures",
  openUntil: "Held until",
  openedAt: "Opened at",
  source: "Source",
  push: "Latest push",
  records: "Records rejected",
  pushesSetAside: "Pushes set aside",
  recordsInPush: "Records in it",
  reasons: "Reasons",
  sources: "Sources",
  lastPush: "Last push",
  silentSince: "Silent since",
  calls: "Calls",
  tasks: "Tasks",
  lastCall: "Last call ID",
  hour: "Hour",
  rate: "Connect rate",
  average: "7-day average",
  threshold: "Threshold",
  used: "Used",
  period: "Period",
  connected: "Connected",
  deliveries: "Deliveries",
  storage: "Storage",
  topIntents: "Top intents",
  byTask: "By task",
  perConnected: "per connected call",
  talk: "avg talk",
  lang: "en",
  all: "all",
  never: "never",
  unknown: "unknown",
  none: "none",
};

type Words = Record<keyof typeof en, string>;

const zh: Words = {
  destination: "目的地",
  reason: "原因",
  lastAnswer: "最后应答",
  count: "次数",
  lastError: "最后错误",
  failures: "连续失败",
  openUntil: "暂停至",
  openedAt: "断开于",
  source: "来源",
  push: "最近推送",
  records: "被拒记录",
  pushesSetAside: "搁置的推送",
  recordsInPush: "其中记录",
  reasons: "原因",
  sources: "来源",
  lastPush: "最后推送",
  silentSince: "静默开始",
  calls: "通话数",
  tasks: "任务",
  lastCall: "最后通话 ID",
  hour: "时段",
  rate: "接通率",
  average: "7 日平均",
  threshold: "阈值",
  used: "已用",
  period: "统计区间",
  connected: "已接通",
  deliveries: "投递",
  storage: "存储",
  topIntents: "主要意图",
  byTask: "按任务",
  perConnected: "每通接通",
  talk: "平均通话",
  lang: "zh",
  all: "全部",
  never: "从未",
  unknown: "未知",
  none: "无",
};

const words: Record<Locale, Words> = { en, zh };

const titles: Record<OperationEvent["type"], Record<Locale, string>> = {
  "destination.disabled": { en: "Destination disabled", zh: "目的地已停用" },
  "delivery.exhausted": { en: "Deliveries gave up", zh: "投递重试已用尽" },
  "breaker.opened": { en: "Circuit breaker opened", zh: "熔断已打开" },
  "breaker.closed": { en: "Circuit breaker closed", zh: "熔断已恢复" },
  "records.rejected": { en: "Records rejected", zh: "记录被拒收" },
  "pushes.set_aside": { en: "Push set aside", zh: "推送已搁置" },
  "pushes.silent": { en: "No pushes", zh: "推送中断" },
  "line.balance_announcement": { en: "Line balance ran out", zh: "线路余额不足" },
  "connect_rate.dropped": { en: "Connect rate dropped", zh: "接通率下降" },
  "storage.high": { en: "Storage almost full", zh: "存储空间将满" },
  "digest.daily": { en: "Daily digest", zh: "每日摘要" },
  "digest.hourly": { en: "Hourly digest", zh: "每小时摘要" },
};

const severities: Record<OperationEvent["type"], Severity> = {
  "destination.disabled": "critical",
  "delivery.exhausted": "critical",
  "breaker.opened": "warning",
  "breaker.closed": "info",
  "records.rejected": "warning",
  "pushes.set_aside": "critical",
  "pushes.silent": "warning",
  "line.balance_announcement": "critical",
  "connect_rate.dropped": "warning",
  "storage.high": "warning",
  "digest.daily": "info",
  "digest.hourly": "info",
};

const item = (value: string) => clip(value, EVENT_ITEM_MAX);
const text = (value: string | null | undefined, none: string) => clip(oneLine(value ?? null) ?? none, EVENT_TEXT_MAX);
const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
const number = (n: number) => n.toLocaleString("en-US");
const mib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

function change(now: number | null, before: number | null): string {
  if (now === null || before === null) return "";
  const points = (now - before) * 100;
  return ` (${points >= 0 ? "+" : ""}${points.toFixed(1)} pt)`;
}

function digestFacts(d: EventData<"digest.daily">, w: Words, tz: string) {
  return {
    facts: [
      {
        label: w.period,
        value: `${formatInstant(Date.parse(d.period.start), tz)} – ${formatInstant(Date.parse(d.period.end), tz)}`,
      },
      {
        label: w.calls,
        value: `${number(d.calls)}${d.previous.calls ? ` (${d.calls >= d.previous.calls ? "+" : ""}${number(d.calls - d.previous.calls)})` : ""}`,
      },
      { label: w.connected, value: number(d.connected) },
      { label: w.rate, value: percent(d.connectRate) + change(d.connectRate, d.previous.connectRate) },
      {
        label: w.deliveries,
        value: `✓ ${number(d.deliveries.delivered)} · ✗ ${number(d.deliveries.failed)} · ↻ ${number(d.deliveries.retrying)}`,
      },
      ...(d.storage
        ? [
            {
              label: w.storage,
              value: `${mib(d.storage.bytes)} / ${mib(d.storage.limitBytes)} (${d.storage.percent.toFixed(1)}%)`,
            },
          ]
        : []),
    ],
    sections: [
      {
        heading: w.topIntents,
        items: d.topIntents.map((i) =>
          item(
            `${number(i.count)} · ${oneLine(i.intent) ?? w.none}${i.intentCode ? ` (${oneLine(i.intentCode)})` : ""}`,
          ),
        ),
      },
      {
        heading: w.byTask,
        items: d.byTask.map((t) => {
          const lang = w.lang as Locale;
          const talk = t.averageTalkSeconds == null ? "" : ` · ${w.talk} ${formatClock(t.averageTalkSeconds)}`;
          const costs = (t.costs ?? []).map(
            (c) =>
              ` · ${formatMoney(c.total, c.currency, lang)}${c.perConnectedCall === null ? "" : ` (${formatMoney(c.perConnectedCall, c.currency, lang)} ${w.perConnected})`}`,
          );
          return item(
            `${t.taskId ?? "—"}: ${number(t.calls)} / ${number(t.connected)} (${percent(t.calls ? t.connected / t.calls : null)})${talk}${costs.join("")}`,
          );
        }),
      },
    ].filter((s) => s.items.length > 0),
  };
}

function body(event: OperationEvent, w: Words, tz: string): Pick<EventSummary, "facts" | "sections"> {
  const time = (iso: string | null, missing = w.never) => (iso === null ? missing : formatInstant(Date.parse(iso), tz));
  const none = { sections: [] };
  switch (event.type) {
    case "destination.disabled": {
      const d = event.data;
      return {
        facts: [
          { label: w.destination, value: text(d.destinationName, d.destinationId) },
          { label: w.reason, value: text(d.reason, w.none) },
          {
            label: w.lastAnswer,
            value: text(`${d.lastStatusCode ?? "—"} ${d.lastResponse ?? ""}`, w.none),
          },
        ],
        ...none,
      };
    }
    case "delivery.exhausted": {
      const d = event.data;
      return {
        facts: [
          { label: w.destination, value: text(d.destinationName, d.destinationId) },
          { label: w.count, value: number(d.count) },
          { label: w.lastError, value: text(d.lastError, w.none) },
        ],
        ...none,
      };
    }
    case "breaker.opened": {
      const d = event.data;
      return {
        facts: [
          { label: w.destination, value: text(d.destinationName, d.destinationId) },
          { label: w.failures, value: number(d.failures) },
          { label: w.openUntil, value: time(d.openUntil) },
        ],
        ...none,
      };
    }
    case "breaker.closed": {
      const d = event.data;
      return {
        facts: [
          { label: w.destination, value: text(d.destinationName, d.destinationId) },
          { label: w.openedAt, value: time(d.openedAt, w.unknown) },
        ],
        ...none,
      };
    }
    case "records.rejected": {
      const d = event.data;
      return {
        facts: [
          { label: w.source, value: text(d.sourceId, "") },
          { label: w.records, value: number(d.count) },
          { label: w.push, value: text(d.pushId, "") },
        ],
        sections: [{ heading: w.reasons, items: d.reasons.map((r) => item(oneLine(r) ?? w.none)) }],
      };
    }
    case "pushes.set_aside": {
      const d = event.data;
      return {
        facts: [
          { label: w.source, value: text(d.sourceId, "") },
          { label: w.pushesSetAside, value: number(d.count) },
          { label: w.push, value: text(d.pushId, "") },
          { label: w.recordsInPush, value: number(d.records) },
          { label: w.reason, value: text(d.reason, w.none) },
        ],
        ...none,
      };
    }
    case "pushes.silent": {
      const d = event.data;
      return {
        facts: [
          { label: w.sources, value: d.sourceIds.length ? text(d.sourceIds.join(", "), "") : w.all },
          { label: w.silentSince, value: time(d.silentSince) },
          { label: w.lastPush, value: time(d.lastPushAt) },
        ],
        ...none,
      };
    }
    case "line.balance_announcement": {
      const d = event.data;
      return {
        facts: [
          { label: w.source, value: text(d.sourceId, "") },
          { label: w.calls, value: number(d.count) },
          { label: w.tasks, value: d.taskIds.length ? d.taskIds.join(", ") : w.none },
          { label: w.lastCall, value: text(d.lastVoiceId, "") },
        ],
        ...none,
      };
    }
    case "connect_rate.dropped": {
      const d = event.data;
      return {
        facts: [
          { label: w.hour, value: `${time(d.hour.start)} – ${time(d.hour.end)}` },
          { label: w.rate, value: `${percent(d.rate)} (${number(d.connected)} / ${number(d.calls)})` },
          { label: w.average, value: percent(d.averageRate) },
        ],
        ...none,
      };
    }
    case "storage.high": {
      const d = event.data;
      return {
        facts: [
          { label: w.used, value: `${mib(d.bytes)} / ${mib(d.limitBytes)} (${d.percent.toFixed(1)}%)` },
          { label: w.threshold, value: `${d.threshold}%` },
        ],
        ...none,
      };
    }
    case "digest.daily":
    case "digest.hourly":
      return digestFacts(event.data, w, tz);
  }
}

/** An event as chat platforms state it, in `options.locale` with times in `options.timezone`. */
export function eventSummary(event: OperationEvent, options: DestinationOptions): EventSummary {
  const { locale, timezone } = options;
  const w = words[locale];
  const zone = locale === "zh" ? `时间为 ${timezone}` : `times in ${timezone}`;
  return {
    severity: severities[event.type],
    title: titles[event.type][locale],
    ...body(event, w, timezone),
    note: `${event.type} · ${zone}`,
    colon: locale === "zh" ? "：" : ": ",
  };
}

/** A mark for each severity, for platforms without colours. */
export const severityMark: Record<Severity, string> = { critical: "🔴", warning: "🟠", info: "🔵" };
