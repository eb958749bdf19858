// @ts-check
import { listPages, MAX_PAGES } from "../http.mjs";
import { formatTable, shortTime } from "../table.mjs";

/**
 * @typedef {{
 *   voiceId: string, sourceId: string, receivedAt: number, callee: string | null, connected: boolean,
 *   callDuration: number | null, intentCode: string | null, intent: string | null, taskId: number | null,
 *   callStatusLabel: string | null,
 * }} Call
 */

/** @type {import("../run.mjs").Command} */
export const calls = {
  summary: "Calls: the stored call records",
  commands: {
    list: {
      summary: "List calls, newest first",
      description: `--all follows the pages (at most ${MAX_PAGES} requests); --limit is then the page size.`,
      options: {
        connected: { type: "boolean", description: "Only connected calls" },
        "intent-code": { type: "string", value: "C", description: "Only calls with this intent code" },
        "task-id": { type: "integer", value: "N", description: "Only calls of this task" },
        source: { type: "string", value: "ID", description: "Only calls from this source" },
        callee: { type: "string", value: "DIGITS", description: "Phone number, or its last 4+ digits" },
        since: { type: "string", value: "T", description: "Call time at or after (date, ISO 8601 or epoch ms)" },
        until: { type: "string", value: "T", description: "Call time before (date, ISO 8601 or epoch ms)" },
        received: { type: "boolean", description: "--since/--until on when callrelay received the call" },
        timezone: { type: "string", value: "TZ", description: "Time zone of dates (default: the relay's)" },
        filter: { type: "json", value: "JSON", description: "Only calls matching this filter expression" },
        limit: { type: "integer", value: "N", description: "Calls per page, 1-200 (default 50)" },
        all: { type: "boolean", description: "Every page, not just the first" },
      },
      run: async ({ flags, api, out }) => {
        const filter = flags.json("filter");
        const query = {
          connected: flags.boolean("connected") || undefined,
          intentCode: flags.string("intent-code"),
          taskId: flags.integer("task-id"),
          sourceId: flags.string("source"),
          callee: flags.string("callee"),
          since: flags.string("since"),
          until: flags.string("until"),
          timeField: flags.boolean("received") ? "receivedAt" : undefined,
          timezone: flags.string("timezone"),
          filter: filter === undefined ? undefined : JSON.stringify(filter),
        };
        const all = flags.boolean("all");
        const limit = flags.integer("limit") ?? (all ? 200 : undefined);
        const page = await listPages(api, "/calls", { ...query, limit }, all ? MAX_PAGES : 1);
        const rows = /** @type {Call[]} */ (page.data);
        if (page.nextCursor !== null) {
          out.note(
            all
              ? `Stopped after ${MAX_PAGES} pages (${rows.length} calls); more match: narrow with --since/--until.`
              : `More calls match than the ${rows.length} shown: add --all, or narrow the query.`,
          );
        }
        out.show(page, () =>
          formatTable(
            ["RECEIVED", "VOICE ID", "CALLEE", "CONNECTED", "SECS", "INTENT", "TASK", "STATUS", "SOURCE"],
            rows.map((c) => [
              shortTime(c.receivedAt),
              c.voiceId,
              c.callee,
              c.connected ? "yes" : "no",
              c.callDuration,
              c.intentCode === null ? c.intent : `${c.intentCode} ${c.intent ?? ""}`.trim(),
              c.taskId,
              c.callStatusLabel,
              c.sourceId,
            ]),
          ),
        );
      },
    },
  },
};
