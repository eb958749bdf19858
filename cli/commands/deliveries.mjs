// @ts-check
import { path } from "../http.mjs";
import { knownDestination, listCommand, statusOption } from "../list.mjs";
import { cell, formatFields, formatTable, truncate } from "../table.mjs";

/**
 * @typedef {{
 *   id: string, destinationId: string, destinationName: string | null, sourceId: string, voiceId: string,
 *   status: string, attempts: number, nextAttemptAt: string | null, lastStatusCode: number | null,
 *   lastError: string | null, deliveredAt: string | null, createdAt: string, updatedAt: string,
 * }} Delivery
 */
/**
 * @typedef {{
 *   attemptedAt: string, statusCode: number | null, durationMs: number, outcome: string, error: string | null,
 *   responseBody: string | null, waitReason: string | null, nextAttemptAt: string | null, detailStatus: string,
 * }} Attempt
 */

const STATUSES = ["pending", "delivered", "retrying", "failed", "paused"];

/** @type {import("../run.mjs").Command} */
export const deliveries = {
  summary: "Deliveries: what was forwarded where, and retrying by hand",
  commands: {
    list: listCommand({
      summary: "List deliveries, newest first",
      route: "/deliveries",
      noun: "deliveries",
      timeField: "Created",
      options: {
        status: statusOption(STATUSES),
        destination: { type: "string", value: "ID", description: "Only deliveries to this destination" },
      },
      query: async ({ flags, api }) => ({
        status: flags.string("status"),
        destinationId: await knownDestination(api, flags.string("destination")),
      }),
      headers: ["CREATED", "ID", "DESTINATION", "VOICE ID", "STATUS", "ATTEMPTS", "LAST", "NEXT ATTEMPT", "LAST ERROR"],
      row: (/** @type {Delivery} */ d, { out }) => [
        out.time(d.createdAt),
        d.id,
        d.destinationName ?? d.destinationId,
        d.voiceId,
        d.status,
        d.attempts,
        d.lastStatusCode,
        out.time(d.nextAttemptAt),
        d.lastError,
      ],
    }),
    show: {
      summary: "Show one delivery with its attempts, oldest first",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const d = /** @type {Delivery & {attemptLog: Attempt[]}} */ (await api.get(path`/deliveries/${id}`));
        out.show(
          d,
          () =>
            formatFields([
              ["id", d.id],
              ["destination", `${cell(d.destinationName)} (${d.destinationId})`],
              ["call", `${d.voiceId} from ${d.sourceId}`],
              ["status", d.status],
              ["attempts", d.attempts],
              ["next attempt", out.time(d.nextAttemptAt)],
              ["delivered", out.time(d.deliveredAt)],
              ["last error", d.lastError],
              ["created", out.time(d.createdAt)],
            ]) +
            (d.attemptLog.length === 0
              ? "\nNo attempts yet.\n"
              : `\nAttempts\n${formatTable(
                  ["AT", "OUTCOME", "STATUS", "MS", "WAIT", "ERROR", "ANSWER"],
                  d.attemptLog.map((a) => [
                    out.time(a.attemptedAt),
                    a.outcome,
                    a.statusCode,
                    a.durationMs,
                    a.waitReason === null ? null : `${a.waitReason} until ${out.time(a.nextAttemptAt)}`,
                    a.error,
                    a.responseBody === null ? null : truncate(cell(a.responseBody), 60),
                  ]),
                )}\nThe request as sent and each answer: --json, or the delivery's page in the console.\n`),
        );
      },
    },
    retry: {
      summary: "Send a failed, paused or retrying delivery now",
      description: "A failed or paused one starts its retry schedule again; a retrying one keeps its attempts.",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const delivery = /** @type {Delivery} */ (await api.post(path`/deliveries/${id}/retry`));
        out.show(
          delivery,
          () =>
            `Delivery ${delivery.id} to "${cell(delivery.destinationName)}" is ${delivery.status}, sent now ` +
            `(attempts so far: ${delivery.attempts}).\n`,
        );
      },
    },
    resend: {
      summary: "Send a delivered delivery again (force-resend)",
      description:
        "From the start of its retry schedule. The receiver gets the same delivery id (webhook-id), so one that drops duplicates drops it.",
      args: ["id"],
      run: async ({ args: [id], api, out }) => {
        const delivery = /** @type {Delivery} */ (await api.post(path`/deliveries/${id}/resend`));
        out.show(
          delivery,
          () =>
            `Delivery ${delivery.id} to "${cell(delivery.destinationName)}" is ${delivery.status}, sent again now.\n`,
        );
      },
    },
  },
};
