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
