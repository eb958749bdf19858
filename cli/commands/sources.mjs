// @ts-check
import { listPages, path } from "../http.mjs";
import { knownSource } from "../list.mjs";
import { cell, formatFields, formatTable } from "../table.mjs";

/** @typedef {{id: string, name: string, token: string, pushUrl: string, createdAt: string}} SourceToken */
/**
 * @typedef {{
 *   id: string, name: string, builtIn: boolean, createdAt: string | null, lastPushAt: string | null,
 *   pushes: number, calls: number,
 * }} Source
 */

/**
 * @param {SourceToken} source
 * @param {string} done
 */
const tokenText = (source, done) =>
  `${done} source "${cell(source.name)}" (${source.id}).\n` +
  formatFields([
    ["token", source.token],
    ["push URL", source.pushUrl],
  ]) +
  "Set the push URL on the voice platform now: it is not shown again.\n" +
  `(\`callrelay sources rotate ${source.id}\` replaces a lost one.)\n`;

/** @type {import("../run.mjs").Command} */
export const sources = {
  summary: "Sources: who may push, each with its own token and push URL",
  commands: {
    add: {
      summary: "Create a source; prints its token and push URL, once",
      args: ["name"],
      run: async ({ args: [name], api, out }) => {
        const created = /** @type {SourceToken} */ (await api.post("/sources", { name }));
        out.show(created, () => tokenText(created, "Created"));
      },
    },
    list: {
      summary: "List the sources with their push and call counts",
      run: async ({ api, out }) => {
        const page = await listPages(api, "/sources", { limit: 200 });
        if (page.nextCursor !== null) out.note(`More sources than the ${page.data.length} shown.`);
        const rows = /** @type {Source[]} */ (page.data);
        out.show(page, () =>
          formatTable(
            ["ID", "NAME", "PUSHES", "CALLS", "LAST PUSH", "CREATED"],
            rows.map((s) => [
              s.id,
              s.builtIn ? `${s.name} (built-in)` : s.name,
              s.pushes,
              s.calls,
              out.time(s.lastPushAt),
              out.time(s.createdAt),
            ]),
          ),
        );
      },
    },
    rotate: {
      summary: "Replace a source's token at once; prints the new one, once",
      description:
        "The old push URL stops working at once: pushes to it are refused until the platform has the new one.",
      args: ["id"],
      run: async ({ args: [id], api, out, confirm }) => {
        await confirm(`The push URL of source ${id} stops working now`);
        const rotated = /** @type {SourceToken} */ (await api.post(path`/sources/${id}/rotate-token`));
        out.show(rotated, () => tokenText(rotated, "New token for"));
      },
    },
    delete: {
      summary: "Delete a source: its push URL stops working; its calls and pushes stay on record",
      args: ["id"],
      run: async ({ args: [id], api, out, confirm }) => {
        await knownSource(api, id);
        await confirm(`Delete source ${id}: its push URL stops working now`);
        await api.delete(path`/sources/${id}`);
        out.show({ deleted: id }, () => `Deleted source ${id}.\n`);
      },
    },
  },
};
