// @ts-check
import { UsageError } from "../args.mjs";
import { path } from "../http.mjs";
import { cell, formatFields, formatTable, truncate } from "../table.mjs";

/**
 * @typedef {{
 *   id: string, name: string, type: string, config: Record<string, unknown>, filter: Record<string, unknown>,
 *   sourceIds: string[], options: Record<string, unknown>, enabled: boolean, disabledReason: string | null,
 *   template: string | null, events: string[], circuit: string, openUntil: string | null, createdAt: string,
 *   updatedAt: string, secret?: string,
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

const TYPES = ["webhook", "slack", "telegram", "feishu", "dingtalk", "wecom", "discord", "teams"];

/** The event types a destination can receive (the API's `eventTypes`; a test keeps them in step). */
export const EVENT_TYPES = [
  "call.reported",
  "destination.disabled",
  "delivery.exhausted",
  "breaker.opened",
  "breaker.closed",
  "records.rejected",
  "pushes.set_aside",
  "pushes.silent",
  "line.balance_announcement",
  "connect_rate.dropped",
  "storage.high",
  "digest.daily",
  "digest.hourly",
];

/** The delivery statuses `destinations retry` takes. */
const RETRYABLE = ["failed", "paused", "retrying"];

/** @type {Record<string, import("../args.mjs").OptionSpec>} */
const settings = {
  url: { type: "string", value: "U", description: "Where to send (config.url, the one setting of most types)" },
  config: { type: "json", value: "JSON", description: "The type's settings, as JSON (the whole config)" },
  filter: { type: "json", value: "JSON", description: "Which calls to forward (default: every call)" },
  source: { type: "list", value: "ID", description: "Only calls from this source; repeat for more" },
  locale: { type: "string", value: "en|zh", choices: ["en", "zh"], description: "Language of chat messages" },
  "message-timezone": { type: "string", value: "TZ", description: "IANA time zone of times in its messages" },
  "no-mask-callee": { type: "boolean", description: "Show callee numbers in full in chat messages" },
  events: {
    type: "csv",
    value: "A,B",
    choices: EVENT_TYPES,
    description: "Event types it receives (default call.reported); see the README's Events section",
  },
  "silent-minutes": { type: "integer", value: "N", description: "pushes.silent after N minutes without a push" },
  "active-hours": { type: "string", value: "HH:MM-HH:MM", description: "Local hours in which silence is reported" },
  "drop-ratio": { type: "number", value: "R", description: "connect_rate.dropped below R × the 7-day average" },
  "digest-at": { type: "string", value: "HH:MM", description: "Local time of digest.daily (default 09:00)" },
};

/**
 * The request body fields the settings options give; absent ones left out.
 * @param {import("../args.mjs").Flags} flags
 */
function settingsBody(flags) {
  const url = flags.string("url");
  if (url !== undefined && flags.string("config") !== undefined)
    throw new UsageError("give --url or --config, not both");
  const sourceIds = flags.list("source");
  const options = {
    locale: flags.string("locale"),
    timezone: flags.string("message-timezone"),
    maskCallee: flags.boolean("no-mask-callee") ? false : undefined,
    silentMinutes: flags.integer("silent-minutes"),
    activeHours: flags.string("active-hours"),
    dropRatio: flags.number("drop-ratio"),
    digestAt: flags.string("digest-at"),
  };
  return {
    config: url === undefined ? flags.json("config") : { url },
    filter: flags.json("filter"),
    sourceIds: sourceIds.length > 0 ? sourceIds : undefined,
    options: Object.values(options).some((v) => v !== undefined) ? options : undefined,
    events: flags.csv("events"),
  };
}

/**
 * @param {Destination} d
 * @param {import("../output.mjs").Output["time"]} time
 */
const details = (d, time) =>
  formatFields([
    ["id", d.id],
    ["name", d.name],
    ["type", d.type],
    ["state", state(d)],
    ["circuit", d.circuit === "closed" ? "closed" : `${d.circuit} until ${time(d.openUntil)}`],
    ["events", d.events.join(", ")],
    ["config", JSON.stringify(d.config)],
    ["filter", JSON.stringify(d.filter)],
    ["sources", sourcesOf(d)],
    ["options", JSON.stringify(d.options)],
    ["template", d.template ?? "(default layout)"],
  ]);

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
        type: { type: "string", value: "T", required: true, choices: TYPES, description: TYPES.join(", ") },
        ...settings,
      },
      run: async ({ flags, api, out }) => {
        const body = settingsBody(flags);
        if (body.config === undefined) throw new UsageError("give --url or --config");
        const created = /** @type {Destination} */ (
          await api.post("/destinations", { name: flags.string("name"), type: flags.string("type"), ...body })
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
              out.time(d.createdAt),
            ]),
          ),
        );
      },
    },
    show: {
      summary: "Show one destination's settings (URLs and secrets masked)",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const d = /** @type {Destination} */ (await api.get(path`/destinations/${id}`));
        out.show(d, () => details(d, out.time));
      },
    },
    edit: {
      summary: "Change a destination's name, settings, filter, sources or options",
      description:
        "Only what is given changes; --url and --config are merged into the stored config, the other settings\n" +
        "into the stored options; --events replaces the list.",
      args: ["id"],
      options: { name: { type: "string", value: "N", description: "A new name" }, ...settings },
      run: async ({ args: [id], flags, api, out }) => {
        const body = { name: flags.string("name"), ...settingsBody(flags) };
        if (Object.values(body).every((v) => v === undefined)) throw new UsageError("nothing to change");
        const updated = /** @type {Destination} */ (await api.patch(path`/destinations/${id}`, body));
        out.show(
          updated,
          () => `Updated destination "${cell(updated.name)}" (${updated.id}).\n${details(updated, out.time)}`,
        );
      },
    },
    test: {
      summary: "Send a sample call (or event) once and show the answer",
      description: "Exits 1 when the answer would not count as delivered. Nothing is stored or changed.",
      args: ["id"],
      options: {
        event: {
          type: "string",
          value: "TYPE",
          choices: EVENT_TYPES,
          description: "Send a sample of this event type (default call.reported: the sample call)",
        },
      },
      run: async ({ args: [id], flags, api, out }) => {
        const event = flags.string("event");
        const body = event === undefined ? undefined : { event };
        const result = /** @type {TestResult} */ (await api.post(path`/destinations/${id}/test`, body));
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
    retry: {
      summary: "Send a destination's failed, paused or retrying deliveries again now",
      description:
        "Failed and paused deliveries start their retry schedule again; retrying ones keep their attempts.\n" +
        "Asks first, as it may send many; follows the API's chunks until every matching delivery is sent.",
      args: ["id"],
      options: {
        status: {
          type: "csv",
          value: "S,S",
          choices: RETRYABLE,
          description: `Which deliveries (default ${RETRYABLE.join(",")})`,
        },
        since: { type: "string", value: "T", description: "Created at or after (ISO 8601 or epoch ms)" },
        until: { type: "string", value: "T", description: "Created before (ISO 8601 or epoch ms)" },
      },
      run: async ({ args: [id], flags, api, out, confirm }) => {
        const d = /** @type {Destination} */ (await api.get(path`/destinations/${id}`));
        const status = flags.csv("status") ?? RETRYABLE;
        await confirm(`Send the ${status.join(", ")} deliveries of "${cell(d.name)}" (${d.id}) again now`);
        const window = { status, since: flags.string("since"), until: flags.string("until") };
        let retried = 0;
        /** @type {string | null} */
        let cursor = null;
        do {
          const chunk = /** @type {{retried: number, nextCursor: string | null}} */ (
            await api.post(path`/destinations/${id}/retry`, { ...window, cursor: cursor ?? undefined })
          );
          retried += chunk.retried;
          cursor = chunk.nextCursor ?? null;
        } while (cursor !== null);
        const name = `"${cell(d.name)}" (${d.id})`;
        out.show({ retried }, () =>
          retried === 0
            ? `No ${status.join(", ")} deliveries of ${name} to send.\n`
            : `Sent ${retried} ${retried === 1 ? "delivery" : "deliveries"} of ${name} again.\n`,
        );
      },
    },
    disable: setEnabled(false),
    enable: setEnabled(true),
    "rotate-secret": {
      summary: "Give a webhook a new signing secret; prints it, once",
      description: "For 24 hours deliveries carry both signatures, so the receiver can switch meanwhile.",
      args: ["id"],
      run: async ({ args: [id], api, out, confirm }) => {
        await confirm(`Replace the signing secret of destination ${id}`);
        const r = /** @type {{secret: string, previousSecretExpiresAt: string}} */ (
          await api.post(path`/destinations/${id}/rotate-secret`)
        );
        out.show(
          r,
          () =>
            `${formatFields([
              ["secret", r.secret],
              ["old one valid until", out.time(r.previousSecretExpiresAt)],
            ])}Give it to the receiver: it is not shown again.\n`,
        );
      },
    },
    delete: {
      summary: "Delete a destination; its deliveries stay on record, unsent ones marked failed",
      args: ["id"],
      run: async ({ args: [id], api, out, confirm }) => {
        const d = /** @type {Destination} */ (await api.get(path`/destinations/${id}`));
        await confirm(`Delete ${d.type} destination "${cell(d.name)}" (${d.id})`);
        await api.delete(path`/destinations/${id}`);
        out.show({ deleted: id }, () => `Deleted destination "${cell(d.name)}" (${d.id}).\n`);
      },
    },
  },
};
