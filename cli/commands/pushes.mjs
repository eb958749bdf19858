// @ts-check
import { path } from "../http.mjs";
import { knownSource, listCommand, statusOption } from "../list.mjs";
import { formatFields, formatTable } from "../table.mjs";

/**
 * @typedef {{
 *   id: string, sourceId: string, receivedAt: string, status: string, contentType: string | null, bytes: number,
 *   records: number, accepted: number, rejectedCount: number, error: string | null, reprocessedFrom: string | null,
 * }} Push
 */
/** @typedef {{index: number, voiceId: string | null, error: string}} Rejected */

/** The push log statuses `pushes list --status` takes (the API's; a test keeps them in step). */
export const PUSH_STATUSES = ["stored", "invalid", "too_large", "set_aside", "resolved"];

/** @param {Rejected[]} rejected */
const rejectedTable = (rejected) =>
  rejected.length === 0
    ? ""
    : `\nRejected records\n${formatTable(
        ["INDEX", "VOICE ID", "WHY"],
        rejected.map((r) => [r.index, r.voiceId, r.error]),
        100,
      )}`;

/** @type {import("../run.mjs").Command} */
export const pushes = {
  summary: "Pushes: the log of every push received, and ingesting one again",
  commands: {
    list: listCommand({
      summary: "List pushes, newest first",
      route: "/pushes",
      noun: "pushes",
      timeField: "Received",
      options: {
        status: statusOption(PUSH_STATUSES),
        source: { type: "string", value: "ID", description: "Only pushes of this source" },
      },
      query: async ({ flags, api }) => ({
        status: flags.string("status"),
        sourceId: await knownSource(api, flags.string("source")),
      }),
      headers: ["RECEIVED", "ID", "SOURCE", "STATUS", "BYTES", "RECORDS", "ACCEPTED", "REJECTED", "ERROR"],
      row: (/** @type {Push} */ p, { out }) => [
        out.time(p.receivedAt),
        p.id,
        p.sourceId,
        p.status,
        p.bytes,
        p.records,
        p.accepted,
        p.rejectedCount,
        p.error,
      ],
    }),
    show: {
      summary: "Show one push: its counts, rejected records and body as received",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const p = /** @type {Push & {rejected: Rejected[], body: string | null}} */ (
          await api.get(path`/pushes/${id}`)
        );
        out.show(
          p,
          () =>
            formatFields([
              ["id", p.id],
              ["source", p.sourceId],
              ["received", out.time(p.receivedAt)],
              ["status", p.status],
              ["content type", p.contentType],
              ["bytes", p.bytes],
              ["records", `${p.records} (${p.accepted} accepted, ${p.rejectedCount} rejected)`],
              ["error", p.error],
              ["reprocessed from", p.reprocessedFrom],
            ]) +
            rejectedTable(p.rejected) +
            (p.body === null ? "\nThe body is no longer stored.\n" : `\nBody as received:\n${p.body}\n`),
        );
      },
    },
    reprocess: {
      summary: "Ingest a stored push again, as a new push of its source",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const r = /** @type {{pushId: string, accepted: number, rejected: Rejected[]}} */ (
          await api.post(path`/pushes/${id}/reprocess`)
        );
        out.show(
          r,
          () =>
            `Reprocessed ${id} as ${r.pushId}: ${r.accepted} accepted, ${r.rejected.length} rejected.\n` +
            rejectedTable(r.rejected),
        );
      },
    },
  },
};
