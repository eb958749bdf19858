// @ts-check
import { UsageError } from "../args.mjs";
import { path } from "../http.mjs";
import { cell, formatFields, formatTable, shortTime, truncate } from "../table.mjs";

/**
 * @typedef {{
 *   id: string, name: string, type: string, config: Record<string, unknown>, filter: Record<string, unknown>,
 *   sourceIds: string[], options: Record<string, unknown>, enabled: boolean, disabledReason: string | null,
 *   createdAt: string, updatedAt: string, secret?: string,
 * }} Destination
 */
/**
 * @typedef {{
 *   ok: boolean, statusCode: number | null, durationMs: number, verdict: string, responseBody: string | null,
 *   error: string | null,
 * }} TestResult
 */

/** @param {Destination} d */
const target = (d) => d.config.url ?? d.config.chatId ?? "-";
/** @param {Destination} d */
const state = (d) => (d.enabled ? "enabled" : `disabled${d.disabledReason ? `: ${d.disabledReason}` : ""}`);
/** @param {Destination} d */
const sourcesOf = (d) => (d.sourceIds.length === 0 ? "all" : d.sourceIds.join(","));

/**
 * @param {boolean} enabled
 * @returns {import("../run.mjs").Command}
 */
const setEnabled = (enabled) => ({
  summary: enabled
    ? "Enable a destination and send the deliveries paused meanwhile"
    : "Disable a destination; its deliveries wait, paused",
  args: ["id"],
  run: async ({ args: [id], api, out }) => {
    const updated = /** @type {Destination} */ (await api.patch(path`/destinations/${id}`, { enabled }));
    out.show(updated, () => `Destination "${cell(updated.name)}" (${updated.id}) is ${state(updated)}.\n`);
  },
});

/** @type {import("../run.mjs").Command} */
export const destinations = {
  summary: "Destinations: where matching calls are forwarded",
  commands: {
    add: {
      summary: "Create a destination; prints a webhook's signing secret, once",
      description:
        "Give --url U (config.url, the one setting of most types) or --config JSON (the whole config, e.g.\n" +
        `'{"url":"https://…","secret":"…"}' for feishu, '{"botToken":"…","chatId":"…"}' for telegram).`,
      options: {
        name: { type: "string", value: "N", required: true, description: "A name for people" },
        type: {
          type: "string",
          value: "T",
          required: true,
          description: "webhook, slack, telegram, feishu, dingtalk, wecom, discord or teams",
        },
        url: { type: "string", value: "U", description: "Where to send (config.url)" },
        config: { type: "json", value: "JSON", description: "The type's settings, as JSON" },
        filter: { type: "json", value: "JSON", description: "Which calls to forward (default: every call)" },
        source: { type: "list", value: "ID", description: "Only calls from this source; repeat for more" },
        locale: { type: "string", value: "en|zh", description: "Language of chat messages (default en)" },
        timezone: { type: "string", value: "TZ", description: "IANA time zone of times in messages" },
        "no-mask-callee": { type: "boolean", description: "Show callee numbers in full in chat messages" },
      },
      run: async ({ flags, api, out }) => {
        const url = flags.string("url");
        if ((url === undefined) === (flags.string("config") === undefined)) {
          throw new UsageError("give one of --url and --config");
        }
        const sourceIds = flags.list("source");
        const options = {
          locale: flags.string("locale"),
          timezone: flags.string("timezone"),
          maskCallee: flags.boolean("no-mask-callee") ? false : undefined,
        };
        const created = /** @type {Destination} */ (
          await api.post("/destinations", {
            name: flags.string("name"),
            type: flags.string("type"),
            config: url === undefined ? flags.json("config") : { url },
            filter: flags.json("filter"),
            sourceIds: sourceIds.length > 0 ? sourceIds : undefined,
            options: Object.values(options).some((v) => v !== undefined) ? options : undefined,
          })
        );
        out.show(created, () => {
          const { secret } = created;
          const text = `Created ${created.type} destination "${cell(created.name)}" (${created.id}).\n`;
          if (secret === undefined) return text;
          return (
            text +
            formatFields([["secret", secret]]) +
            "Give it to the receiver now, to verify signatures: it is not shown again.\n"
          );
        });
      },
    },
    list: {
      summary: "List the destinations (URLs and secrets masked)",
      run: async ({ api, out }) => {
        const body = /** @type {{data: Destination[]}} */ (await api.get("/destinations"));
        out.show(body, () =>
          formatTable(
            ["ID", "NAME", "TYPE", "STATE", "TARGET", "FILTER", "SOURCES", "CREATED"],
            body.data.map((d) => [
              d.id,
              d.name,
              d.type,
              state(d),
              target(d),
              JSON.stringify(d.filter),
              sourcesOf(d),
              shortTime(d.createdAt),
            ]),
          ),
        );
      },
    },
    test: {
      summary: "Send the sample call once and show the answer",
      description: "Exits 1 when the answer would not count as delivered. Nothing is stored or changed.",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const result = /** @type {TestResult} */ (await api.post(path`/destinations/${id}/test`));
        out.show(result, () =>
          formatFields([
            ["verdict", result.verdict],
            ["status", result.statusCode === null ? "no answer" : `HTTP ${result.statusCode}`],
            ["time", `${result.durationMs} ms`],
            ["error", result.error],
            ["answer", result.responseBody === null ? null : truncate(cell(result.responseBody), 200)],
          ]),
        );
        return result.ok ? 0 : 1;
      },
    },
    disable: setEnabled(false),
    enable: setEnabled(true),
  },
};
