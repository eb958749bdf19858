// @ts-check
import { listPages, path } from "../http.mjs";
import { cell, formatTable, shortTime } from "../table.mjs";

/**
 * @typedef {{
 *   id: string, destinationId: string, destinationName: string | null, voiceId: string, status: string,
 *   attempts: number, nextAttemptAt: string | null, lastStatusCode: number | null, lastError: string | null,
 *   createdAt: string,
 * }} Delivery
 */

/** @type {import("../run.mjs").Command} */
export const deliveries = {
  summary: "Deliveries: what was forwarded where, and retrying by hand",
  commands: {
    list: {
      summary: "List deliveries, newest first",
      options: {
        status: {
          type: "string",
          value: "S",
          description: "Only this status: pending, delivered, retrying, failed or paused",
        },
        destination: { type: "string", value: "ID", description: "Only deliveries to this destination" },
        limit: { type: "integer", value: "N", description: "How many, 1-200 (default 50)" },
      },
      run: async ({ flags, api, out }) => {
        const query = { status: flags.string("status"), destinationId: flags.string("destination") };
        const page = await listPages(api, "/deliveries", { ...query, limit: flags.integer("limit") }, 1);
        const rows = /** @type {Delivery[]} */ (page.data);
        if (page.nextCursor !== null) out.note(`The newest ${rows.length} shown; more match (--limit up to 200).`);
        out.show(page, () =>
          formatTable(
            ["CREATED", "ID", "DESTINATION", "VOICE ID", "STATUS", "ATTEMPTS", "LAST", "NEXT ATTEMPT", "LAST ERROR"],
            rows.map((d) => [
              shortTime(d.createdAt),
              d.id,
              d.destinationName ?? d.destinationId,
              d.voiceId,
              d.status,
              d.attempts,
              d.lastStatusCode,
              shortTime(d.nextAttemptAt),
              d.lastError,
            ]),
          ),
        );
      },
    },
    retry: {
      summary: "Send a failed or paused delivery again",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const delivery = /** @type {Delivery} */ (await api.post(path`/deliveries/${id}/retry`));
        out.show(
          delivery,
          () => `Delivery ${delivery.id} to "${cell(delivery.destinationName)}" is ${delivery.status} again.\n`,
        );
      },
    },
  },
};
