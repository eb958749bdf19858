import { matchesFilter } from "../filters/evaluate";
import { filterFieldsUsed } from "../filters/fields-used";
import type { Filter } from "../filters/validate";

/**
 * The call fields a campaign filter may use: those in the task cost rollups' key, so a filter on them is answered
 * exactly from the rollups. A filter on any other field would need every call of the window read, and is refused.
 */
export const campaignFilterFields = ["sourceId", "taskId", "intentCode", "currency", "connected"] as const;

/** One task cost rollup group of a window: the sums of the calls sharing these key values. */
export interface CampaignGroup {
  sourceId: string;
  /** -1: no task. */
  taskId: number;
  /** '': no intent code. */
  intentCode: string;
  /** '': none sent (the vendor sends a currency only when it is not USD). */
  currency: string;
  connected: number;
  calls: number;
  talkSeconds: number;
  chargedSeconds: number;
  aiChargedSeconds: number;
  lineCostMicros: number;
  aiCostMicros: number;
}

/** A task's cost in one quote currency; money as decimal strings. */
export interface CurrencyCost {
  currency: string;
  calls: number;
  connected: number;
  line: string;
  aiAgent: string;
  total: string;
  /** All of the currency's cost over its connected calls; null without connected calls. */
  perConnectedCall: string | null;
  /** With a filter: the matching calls of this currency, their cost, and costs per matching call. */
  matching: {
    calls: number;
    total: string;
    /** The matching calls' own cost over their count. */
    perMatchingCall: string | null;
    /** All of the currency's cost over the matching calls (what each one cost the campaign). */
    spendPerMatchingCall: string | null;
  } | null;
}

/** One task's figures over a window. */
export interface TaskFigures {
  taskId: number | null;
  calls: number;
  connected: number;
  connectRate: number | null;
  intents: { intentCode: string | null; calls: number }[];
  /** Seconds talked on connected calls, and their average per connected call. */
  talkSeconds: number;
  averageTalkSeconds: number | null;
  /** Line billed seconds and minutes; AI-agent billed seconds. */
  chargedSeconds: number;
  chargedMinutes: number;
  aiChargedSeconds: number;
  costs: CurrencyCost[];
  /** With a filter: calls matching it; null without one. */
  matching: { calls: number; connected: number } | null;
}

/** The quote currency a stored value stands for: the vendor leaves it out for USD. */
export const quoteCurrency = (stored: string | null) => (stored ? stored : "USD");

/** A whole number of millionths as a decimal string, exactly (`100000` → `"0.1"`, `0` → `"0"`). */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(Math.round(micros));
  const whole = Math.floor(abs / 1_000_000);
  const fraction = String(abs % 1_000_000)
    .padStart(6, "0")
    .replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** `micros / count` to the nearest millionth; null when count is 0. */
const per = (micros: number, count: number) => (count === 0 ? null : formatMicros(Math.round(micros / count)));

/** Which of {@link campaignFilterFields} a filter leaves, as a plain message; null when it uses only those. */
export function campaignFilterProblem(filter: Filter): string | null {
  const others = [...filterFieldsUsed(filter)].filter((f) => !(campaignFilterFields as readonly string[]).includes(f));
  if (others.length === 0) return null;
  return `a campaign filter can use only ${campaignFilterFields.join(", ")} (kept in the rollups); ${others.join(", ")} would need every call of the window read`;
}

/** The call a group stands for, as the filter language sees a call. */
function groupCall(g: CampaignGroup): Record<string, unknown> {
  return {
    sourceId: g.sourceId,
    taskId: g.taskId === -1 ? null : g.taskId,
    intentCode: g.intentCode === "" ? null : g.intentCode,
    currency: g.currency === "" ? null : g.currency,
    connected: g.connected === 1,
  };
}

const sum = (groups: readonly CampaignGroup[], pick: (g: CampaignGroup) => number) =>
  groups.reduce((n, g) => n + pick(g), 0);

function currencyCost(
  currency: string,
  groups: CampaignGroup[],
  matches: ((g: CampaignGroup) => boolean) | null,
): CurrencyCost {
  const total = sum(groups, (g) => g.lineCostMicros + g.aiCostMicros);
  const connected = sum(groups, (g) => (g.connected ? g.calls : 0));
  const matched = matches ? groups.filter(matches) : null;
  const matchedCalls = matched ? sum(matched, (g) => g.calls) : 0;
  const matchedTotal = matched ? sum(matched, (g) => g.lineCostMicros + g.aiCostMicros) : 0;
  return {
    currency,
    calls: sum(groups, (g) => g.calls),
    connected,
    line: formatMicros(sum(groups, (g) => g.lineCostMicros)),
    aiAgent: formatMicros(sum(groups, (g) => g.aiCostMicros)),
    total: formatMicros(total),
    perConnectedCall: per(total, connected),
    matching: matched && {
      calls: matchedCalls,
      total: formatMicros(matchedTotal),
      perMatchingCall: per(matchedTotal, matchedCalls),
      spendPerMatchingCall: per(total, matchedCalls),
    },
  };
}

function groupBy<K>(groups: readonly CampaignGroup[], key: (g: CampaignGroup) => K): Map<K, CampaignGroup[]> {
  const out = new Map<K, CampaignGroup[]>();
  for (const g of groups) {
    const list = out.get(key(g));
    if (list) list.push(g);
    else out.set(key(g), [g]);
  }
  return out;
}

/**
 * Each task's figures from the rollup groups of a window, busiest first (at most `top`). With a filter (which
 * {@link campaignFilterProblem} accepted), also the calls matching it and their costs.
 */
export function campaignFigures(groups: readonly CampaignGroup[], filter: Filter | null, top: number): TaskFigures[] {
  const matches = filter ? (g: CampaignGroup) => matchesFilter(filter, groupCall(g)) : null;
  const tasks = [...groupBy(groups, (g) => g.taskId)].map(([taskId, of]): TaskFigures => {
    const calls = sum(of, (g) => g.calls);
    const connected = sum(of, (g) => (g.connected ? g.calls : 0));
    const talkSeconds = sum(of, (g) => g.talkSeconds);
    const chargedSeconds = sum(of, (g) => g.chargedSeconds);
    const matched = matches ? of.filter(matches) : null;
    return {
      taskId: taskId === -1 ? null : taskId,
      calls,
      connected,
      connectRate: calls === 0 ? null : connected / calls,
      intents: [...groupBy(of, (g) => g.intentCode)]
        .map(([code, with_]) => ({ intentCode: code === "" ? null : code, calls: sum(with_, (g) => g.calls) }))
        .filter((i) => i.calls > 0)
        .sort((a, b) => b.calls - a.calls || String(a.intentCode).localeCompare(String(b.intentCode))),
      talkSeconds,
      averageTalkSeconds: connected === 0 ? null : Math.round(talkSeconds / connected),
      chargedSeconds,
      chargedMinutes: Math.round((chargedSeconds / 60) * 10) / 10,
      aiChargedSeconds: sum(of, (g) => g.aiChargedSeconds),
      costs: [...groupBy(of, (g) => quoteCurrency(g.currency))]
        .map(([currency, list]) => currencyCost(currency, list, matches))
        .filter((c) => c.calls > 0)
        .sort((a, b) => a.currency.localeCompare(b.currency)),
      matching: matched && {
        calls: sum(matched, (g) => g.calls),
        connected: sum(matched, (g) => (g.connected ? g.calls : 0)),
      },
    };
  });
  return tasks
    .filter((t) => t.calls > 0)
    .sort((a, b) => b.calls - a.calls || (a.taskId ?? -1) - (b.taskId ?? -1))
    .slice(0, top);
}
