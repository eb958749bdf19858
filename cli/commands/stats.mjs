// @ts-check
import { knownSource } from "../list.mjs";
import { formatFields, formatTable } from "../table.mjs";

/** Intents shown. */
const TOP_INTENTS = 10;

/**
 * @typedef {{
 *   window: {since: string, until: string}, pushes: number, records: number, rejected: number, calls: number,
 *   connected: number, connectRate: number | null,
 *   byIntent: {intentCode: string | null, intent: string | null, count: number}[],
 *   byCallDescription: {callDescription: number | null, label: string | null, count: number}[],
 *   byTask: {taskId: number | null, count: number, connected: number}[],
 *   deliveries: {destinationId: string, name: string | null, status: string, count: number}[],
 *   series: {interval: string, points: {start: string, calls: number, connected: number}[]},
 * }} Stats
 */

/**
 * Delivery counts as one row per destination and one column per status.
 * @param {Stats["deliveries"]} counts
 */
function deliveryTable(counts) {
  const statuses = [...new Set(counts.map((c) => c.status))];
  /** @type {Map<string, {name: string, count: Map<string, number>}>} */
  const byDestination = new Map();
  for (const c of counts) {
    const row = byDestination.get(c.destinationId) ?? { name: c.name ?? c.destinationId, count: new Map() };
    row.count.set(c.status, c.count);
    byDestination.set(c.destinationId, row);
  }
  return formatTable(
    ["DESTINATION", ...statuses.map((s) => s.toUpperCase())],
    [...byDestination.values()].map((row) => [row.name, ...statuses.map((s) => row.count.get(s) ?? 0)]),
  );
}

/**
 * @param {string} title
 * @param {string[]} headers
 * @param {unknown[][]} rows
 */
const section = (title, headers, rows) => (rows.length === 0 ? "" : `\n${title}\n${formatTable(headers, rows)}`);

/** @param {number} part @param {number} whole */
const percent = (part, whole) => (whole === 0 ? "-" : `${((part / whole) * 100).toFixed(1)}%`);

/**
 * @param {Stats} stats
 * @param {(value: string) => string} time
 * @param {boolean} series Whether to show the series
 */
function summary(stats, time, series) {
  const rate = stats.connectRate === null ? "-" : `${(stats.connectRate * 100).toFixed(1)}%`;
  const intents = stats.byIntent.slice(0, TOP_INTENTS);
  return (
    formatFields([
      ["window", `${time(stats.window.since)} to ${time(stats.window.until)}`],
      ["pushes", stats.pushes],
      ["records", stats.records],
      ["rejected", stats.rejected],
      ["calls", stats.calls],
      ["connected", `${stats.connected} (${rate})`],
    ]) +
    section(
      "Top intents",
      ["CODE", "INTENT", "CALLS"],
      intents.map((i) => [i.intentCode, i.intent, i.count]),
    ) +
    section(
      "By call description",
      ["CODE", "DESCRIPTION", "CALLS"],
      stats.byCallDescription.map((d) => [d.callDescription, d.label, d.count]),
    ) +
    section(
      "By task",
      ["TASK", "CALLS", "CONNECTED", "RATE"],
      stats.byTask.map((t) => [t.taskId, t.count, t.connected, percent(t.connected, t.count)]),
    ) +
    (series
      ? section(
          `Per ${stats.series.interval}`,
          [stats.series.interval === "hour" ? "HOUR" : "DAY", "CALLS", "CONNECTED", "RATE"],
          stats.series.points.map((p) => [time(p.start), p.calls, p.connected, percent(p.connected, p.calls)]),
        )
      : "") +
    (stats.deliveries.length === 0
      ? "\nNo deliveries.\n"
      : `\nDeliveries by status\n${deliveryTable(stats.deliveries)}`)
  );
}

/**
 * @typedef {{
 *   currency: string, calls: number, connected: number, line: string, aiAgent: string, total: string,
 *   perConnectedCall: string | null,
 *   matching: {calls: number, total: string, perMatchingCall: string | null, spendPerMatchingCall: string | null} | null,
 * }} CurrencyCost
 * @typedef {{
 *   window: {since: string, until: string}, countedSince: string | null, filter: unknown,
 *   tasks: {
 *     taskId: number | null, calls: number, connected: number, connectRate: number | null,
 *     intents: {intentCode: string | null, calls: number}[], averageTalkSeconds: number | null,
 *     chargedMinutes: number, costs: CurrencyCost[], matching: {calls: number, connected: number} | null,
 *   }[],
 * }} TaskStats
 */

/** Intents shown per task. */
const TASK_INTENTS = 3;

/**
 * Seconds as m:ss (`65` → `1:05`); "-" when there are none.
 * @param {number | null} seconds
 */
const clock = (seconds) =>
  seconds === null ? "-" : `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, "0")}`;

/**
 * One row per task and currency.
 * @param {TaskStats} body
 * @param {(value: string) => string} time
 */
function taskTable(body, time) {
  const filtered = body.filter !== null;
  const rows = body.tasks.flatMap((t) => {
    const intents = t.intents
      .slice(0, TASK_INTENTS)
      .map((i) => `${i.intentCode ?? "none"}:${i.calls}`)
      .join(" ");
    const costs = t.costs.length > 0 ? t.costs : [null];
    return costs.map((c, n) => [
      n === 0 ? (t.taskId ?? "none") : "",
      n === 0 ? t.calls : "",
      n === 0 ? `${t.connected} (${percent(t.connected, t.calls)})` : "",
      n === 0 ? intents : "",
      n === 0 ? clock(t.averageTalkSeconds) : "",
      n === 0 ? t.chargedMinutes : "",
      c?.currency ?? "-",
      c?.line ?? "-",
      c?.aiAgent ?? "-",
      c?.total ?? "-",
      c?.perConnectedCall ?? "-",
      ...(filtered
        ? [c?.matching?.calls ?? 0, c?.matching?.perMatchingCall ?? "-", c?.matching?.spendPerMatchingCall ?? "-"]
        : []),
    ]);
  });
  const head = [
    "TASK",
    "CALLS",
    "CONNECTED",
    "INTENTS",
    "AVG TALK",
    "CHARGED MIN",
    "CURRENCY",
    "LINE",
    "AI AGENT",
    "TOTAL",
    "PER CONNECTED",
    ...(filtered ? ["MATCHING", "PER MATCH", "SPEND PER MATCH"] : []),
  ];
  /** @type {[string, unknown][]} */
  const fields = [["window", `${time(body.window.since)} to ${time(body.window.until)}`]];
  if (filtered) fields.push(["filter", JSON.stringify(body.filter)]);
  if (body.countedSince) fields.push(["still counting calls stored before", time(body.countedSince)]);
  return formatFields(fields) + (rows.length === 0 ? "\nNo calls in this window.\n" : `\n${formatTable(head, rows)}`);
}

/** @type {import("../run.mjs").Command} */
const tasks = {
  summary: "Per task: calls, connect rate, intents, talk time, billed minutes, cost per currency",
  description:
    "Read from the relay's task cost rollups. --filter (or --intent) picks the calls to cost per match; it may use sourceId, taskId, intentCode, currency and connected.",
  options: {
    since: { type: "string", value: "T", description: "Window start (default: 24 h before --until)" },
    until: { type: "string", value: "T", description: "Window end (default: now)" },
    source: { type: "string", value: "ID", description: "Only this source" },
    intent: { type: "csv", value: "CODES", description: "Cost per call with one of these intent codes, e.g. 302,303" },
    filter: { type: "json", value: "JSON", description: 'Cost per call matching a filter, e.g. {"connected":true}' },
  },
  run: async ({ flags, api, out }) => {
    const sourceId = await knownSource(api, flags.string("source"));
    const intents = flags.csv("intent");
    const filters = [
      ...(intents ? [{ intentCode: { $in: intents } }] : []),
      ...(flags.string("filter") === undefined ? [] : [flags.json("filter")]),
    ];
    const filter =
      filters.length === 0 ? undefined : JSON.stringify(filters.length === 1 ? filters[0] : { $and: filters });
    const window = { since: flags.string("since"), until: flags.string("until") };
    const body = /** @type {TaskStats} */ (
      await api.get("/stats/tasks", { ...window, sourceId, filter, timezone: out.timeZone })
    );
    out.show(body, () => taskTable(body, out.time));
  },
};

/** @type {import("../run.mjs").Command} */
export const stats = {
  summary: "Pushes, calls, connect rate, intents, deliveries in a window",
  options: {
    since: { type: "string", value: "T", description: "Window start (default: 24 h before --until)" },
    until: { type: "string", value: "T", description: "Window end (default: now)" },
    source: { type: "string", value: "ID", description: "Only this source" },
    interval: {
      type: "string",
      value: "hour|day",
      choices: ["hour", "day"],
      description: "Also show calls and connect rate per hour or per day",
    },
  },
  commands: { tasks },
  run: async ({ flags, api, out }) => {
    const sourceId = await knownSource(api, flags.string("source"));
    const interval = flags.string("interval");
    const window = { since: flags.string("since"), until: flags.string("until") };
    const body = /** @type {Stats} */ (
      await api.get("/stats", { ...window, sourceId, interval, timezone: out.timeZone })
    );
    out.show(body, () => summary(body, out.time, interval !== undefined));
  },
};
