// @ts-check
import { formatFields, formatTable, shortTime } from "../table.mjs";

/** Intents shown. */
const TOP_INTENTS = 10;

/**
 * @typedef {{
 *   window: {since: string, until: string}, pushes: number, records: number, rejected: number, calls: number,
 *   connected: number, connectRate: number | null,
 *   byIntent: {intentCode: string | null, intent: string | null, count: number}[],
 *   deliveries: {destinationId: string, name: string | null, status: string, count: number}[],
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

/** @param {Stats} stats */
function summary(stats) {
  const rate = stats.connectRate === null ? "-" : `${(stats.connectRate * 100).toFixed(1)}%`;
  const intents = stats.byIntent.slice(0, TOP_INTENTS);
  return (
    formatFields([
      ["window", `${shortTime(stats.window.since)} to ${shortTime(stats.window.until)}`],
      ["pushes", stats.pushes],
      ["records", stats.records],
      ["rejected", stats.rejected],
      ["calls", stats.calls],
      ["connected", `${stats.connected} (${rate})`],
    ]) +
    (intents.length === 0
      ? ""
      : `\nTop intents\n${formatTable(
          ["CODE", "INTENT", "CALLS"],
          intents.map((i) => [i.intentCode, i.intent, i.count]),
        )}`) +
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
    timezone: { type: "string", value: "TZ", description: "Time zone of dates and the series (default: the relay's)" },
  },
  run: async ({ flags, api, out }) => {
    const query = {
      since: flags.string("since"),
      until: flags.string("until"),
      sourceId: flags.string("source"),
      timezone: flags.string("timezone"),
    };
    const body = /** @type {Stats} */ (await api.get("/stats", query));
    out.show(body, () => summary(body));
  },
};
