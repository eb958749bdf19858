// @ts-check
import { ApiError, path } from "../http.mjs";
import { knownSource, listCommand } from "../list.mjs";
import { formatFields, formatTable } from "../table.mjs";
import { historyCall, warehouseOption } from "./history.mjs";

/**
 * Whether a 404's details say the call may have moved to history.
 * @param {unknown} details
 */
const movedToHistory = (details) => typeof details === "object" && details !== null && "history" in details;

/**
 * @typedef {{
 *   voiceId: string, sourceId: string, receivedAt: number, callee: string | null, connected: boolean,
 *   callDuration: number | null, intentCode: string | null, intent: string | null, taskId: number | null,
 *   callStatusLabel: string | null,
 * }} Call
 */
/** @typedef {Call & Record<string, unknown> & {raw: unknown, pushId: string}} CallDetail */

/** Fields of the call record that are instants (epoch ms). */
const TIMES = new Set(["receivedAt", "submitTime", "callTime", "ringingTime", "answerTime", "hangupTime"]);

const DEFAULT_SOURCE = "src_default";

/** @type {import("../args.mjs").OptionSpec} */
const sourceOption = { type: "string", value: "ID", description: `Its source (default ${DEFAULT_SOURCE})` };

/**
 * @typedef {{destinationId: string, name: string, type: string, matched: boolean, reason: string | null}} Explanation
 */

/** @type {import("../run.mjs").Command} */
export const calls = {
  summary: "Calls: the stored call records",
  commands: {
    list: listCommand({
      summary: "List calls, newest first",
      route: "/calls",
      noun: "calls",
      timeField: "Call time (with --received: received time)",
      options: {
        connected: { type: "boolean", description: "Only connected calls" },
        "intent-code": { type: "string", value: "C", description: "Only calls with this intent code" },
        "task-id": { type: "integer", value: "N", description: "Only calls of this task" },
        source: { type: "string", value: "ID", description: "Only calls from this source" },
        callee: { type: "string", value: "DIGITS", description: "Phone number, or its last 4+ digits" },
        received: { type: "boolean", description: "--since/--until on when callrelay received the call" },
        filter: { type: "json", value: "JSON", description: "Only calls matching this filter expression" },
      },
      query: async ({ flags, api, out }) => {
        const filter = flags.json("filter");
        return {
          connected: flags.boolean("connected") || undefined,
          intentCode: flags.string("intent-code"),
          taskId: flags.integer("task-id"),
          sourceId: await knownSource(api, flags.string("source")),
          callee: flags.string("callee"),
          timeField: flags.boolean("received") ? "receivedAt" : undefined,
          timezone: out.timeZone,
          filter: filter === undefined ? undefined : JSON.stringify(filter),
        };
      },
      headers: ["RECEIVED", "VOICE ID", "CALLEE", "CONNECTED", "SECS", "INTENT", "TASK", "STATUS", "SOURCE"],
      row: (/** @type {Call} */ c, { out }) => [
        out.time(c.receivedAt),
        c.voiceId,
        c.callee,
        c.connected ? "yes" : "no",
        c.callDuration,
        c.intentCode === null ? c.intent : `${c.intentCode} ${c.intent ?? ""}`.trim(),
        c.taskId,
        c.callStatusLabel,
        c.sourceId,
      ],
    }),
    show: {
      summary: "Show one call: every field, the push that stored it, the record as received",
      args: ["voiceId"],
      description:
        "A call D1 no longer holds (retention moved it to history) is read from Basin SQL instead: that needs\n" +
        "CALLRELAY_WAREHOUSE and WRANGLER_BASIN_SQL_AUTH_TOKEN (see `callrelay history --help`).",
      options: { source: sourceOption, warehouse: warehouseOption },
      run: async (context) => {
        const { args, flags, api, out } = context;
        const voiceId = args[0] ?? "";
        const sourceId = flags.string("source") ?? DEFAULT_SOURCE;
        /** @type {CallDetail} */
        let call;
        try {
          call = /** @type {CallDetail} */ (await api.get(path`/calls/${sourceId}/${voiceId}`));
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 404 && movedToHistory(err.details))) throw err;
          out.note(`${err.message}: reading it from history…`);
          const row = await historyCall(context, sourceId, voiceId);
          if (row === null) throw new Error(`No call ${voiceId} from source ${sourceId} in D1 or in history`);
          out.show(row, () => `From history (Basin SQL), its latest version:\n${formatFields(Object.entries(row))}`);
          return;
        }
        out.show(call, () => {
          const { raw, ...fields } = call;
          return `${formatFields(
            Object.entries(fields).map(([name, value]) => [
              name,
              TIMES.has(name) && typeof value === "number" ? out.time(value) : value,
            ]),
          )}\nAs received:\n${JSON.stringify(raw, null, 2)}\n`;
        });
      },
    },
    explain: {
      summary: "Why a call was (not) forwarded: each destination, whether it matches now, and why not",
      args: ["voiceId"],
      options: { source: sourceOption },
      run: async ({ args: [voiceId], flags, api, out }) => {
        const sourceId = flags.string("source") ?? DEFAULT_SOURCE;
        const body = /** @type {{data: Explanation[]}} */ (await api.get(path`/calls/${sourceId}/${voiceId}/explain`));
        out.show(body, () =>
          body.data.length === 0
            ? "No destinations.\n"
            : formatTable(
                ["DESTINATION", "ID", "TYPE", "MATCHED", "REASON"],
                body.data.map((e) => [e.name, e.destinationId, e.type, e.matched ? "yes" : "no", e.reason]),
              ),
        );
      },
    },
  },
};
