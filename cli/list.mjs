// @ts-check
import { listPages, MAX_PAGES } from "./http.mjs";
import { formatTable } from "./table.mjs";

/** @typedef {import("./run.mjs").Command} Command */
/** @typedef {import("./run.mjs").Context} Context */
/** @typedef {import("./args.mjs").OptionSpec} OptionSpec */

/**
 * A `list` command over a paged admin route: its own options plus `--since`, `--until`, `--limit` and `--all`,
 * one table row per item.
 * @template T
 * @param {object} spec
 * @param {string} spec.summary
 * @param {string} spec.route e.g. `/calls`
 * @param {string} spec.noun plural, e.g. `calls`
 * @param {string} spec.timeField what `--since` and `--until` bound, e.g. `Received`
 * @param {Record<string, OptionSpec>} spec.options
 * @param {(context: Context) => Promise<Record<string, string | number | boolean | undefined>>} spec.query
 * @param {string[]} spec.headers
 * @param {(item: T, context: Context) => unknown[]} spec.row
 * @returns {Command}
 */
export function listCommand({ summary, route, noun, timeField, options, query, headers, row }) {
  return {
    summary,
    description: `--all follows the pages (at most ${MAX_PAGES} requests); --limit is then the page size.`,
    options: {
      ...options,
      since: { type: "string", value: "T", description: `${timeField} at or after (ISO 8601 or epoch ms)` },
      until: { type: "string", value: "T", description: `${timeField} before (ISO 8601 or epoch ms)` },
      limit: { type: "integer", value: "N", description: "Rows per page, 1-200 (default 50)" },
      all: { type: "boolean", description: "Every page, not just the first" },
    },
    run: async (context) => {
      const { flags, api, out } = context;
      const all = flags.boolean("all");
      const limit = flags.integer("limit") ?? (all ? 200 : undefined);
      const window = { since: flags.string("since"), until: flags.string("until"), limit };
      const page = await listPages(api, route, { ...(await query(context)), ...window }, all ? MAX_PAGES : 1);
      const items = /** @type {T[]} */ (page.data);
      if (page.nextCursor !== null) {
        out.note(
          all
            ? `Stopped after ${MAX_PAGES} pages (${items.length} ${noun}); more match: narrow with --since/--until.`
            : `More ${noun} match than the ${items.length} shown: add --all, or narrow with --since/--until.`,
        );
      }
      out.show(page, () =>
        items.length === 0
          ? `No ${noun} match.\n`
          : formatTable(
              headers,
              items.map((item) => row(item, context)),
            ),
      );
    },
  };
}

/**
 * A `--status S` option taking one of `statuses`.
 * @param {readonly string[]} statuses
 * @returns {OptionSpec}
 */
export const statusOption = (statuses) => ({
  type: "string",
  value: "S",
  choices: statuses,
  description: `Only this status: ${statuses.join(", ")}`,
});

/**
 * Throws unless a source `id` exists: a filter on an unknown id is a mistake, not an empty list.
 * @param {import("./http.mjs").Api} api
 * @param {string | undefined} id
 */
export async function knownSource(api, id) {
  if (id === undefined) return undefined;
  const page = await listPages(api, "/sources", { limit: 200 });
  const ids = page.data.map((s) => /** @type {{id: string}} */ (s).id);
  if (!ids.includes(id)) throw new UnknownIdError(`No source ${id}`, ids);
  return id;
}

/**
 * Throws unless a destination `id` exists.
 * @param {import("./http.mjs").Api} api
 * @param {string | undefined} id
 */
export async function knownDestination(api, id) {
  if (id !== undefined) await api.get(`/destinations/${encodeURIComponent(id)}`);
  return id;
}

/** An id given on the command line names nothing: exit 1, with the closest known one when there is one. */
export class UnknownIdError extends Error {
  /**
   * @param {string} message
   * @param {string[]} [known]
   */
  constructor(message, known = []) {
    super(`${message}${known.length > 0 ? ` (known: ${known.slice(0, 10).join(", ")})` : ""}`);
    this.name = "UnknownIdError";
  }
}
