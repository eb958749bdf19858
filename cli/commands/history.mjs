// @ts-check
import { historyTarget, queryHistory, sqlString } from "../basin-sql.mjs";
import { formatFields, formatTable } from "../table.mjs";

/** @typedef {{since: number, until: number, phase: string, sent: number, invalid: number, scanned: number, through: number | null, complete: boolean}} BackfillStep */

/** @type {import("../args.mjs").OptionSpec} */
export const warehouseOption = {
  type: "string",
  value: "NAME",
  description: "Basin Catalog warehouse, <account-id>_<bucket> (or set CALLRELAY_WAREHOUSE)",
};

/**
 * The latest version of one call in history (Basin SQL), or null.
 * @param {import("../run.mjs").Context} context
 * @param {string} sourceId
 * @param {string} voiceId
 */
export async function historyCall({ env, fetch, flags }, sourceId, voiceId) {
  const target = historyTarget(env, flags.string("warehouse"));
  const result = await queryHistory(
    fetch,
    target,
    `SELECT * FROM ${target.table} WHERE source_id = ${sqlString(sourceId)} AND voice_id = ${sqlString(voiceId)} ORDER BY version DESC, push_id DESC LIMIT 1`,
  );
  return result.rows[0] ?? null;
}

/** @type {import("../run.mjs").Command} */
export const history = {
  summary: "Query calls kept in history (Basin SQL), or stream stored calls there",
  description:
    'history "<SQL>" runs one query through Basin SQL\'s REST API and prints the rows. The table is\n' +
    "callrelay.calls (one row per stored version of a call; see the README's recipes). It needs the\n" +
    "warehouse (--warehouse or CALLRELAY_WAREHOUSE) and a token (WRANGLER_BASIN_SQL_AUTH_TOKEN or\n" +
    "CLOUDFLARE_API_TOKEN); it does not talk to the relay.",
  args: ["sql"],
  relay: false,
  options: { warehouse: warehouseOption },
  run: async ({ args: [query], flags, env, fetch, out }) => {
    const result = await queryHistory(fetch, historyTarget(env, flags.string("warehouse")), query ?? "");
    out.show(result, () => {
      const columns = result.schema.map((c) => c.name);
      const table =
        result.rows.length === 0
          ? "No rows.\n"
          : formatTable(
              columns,
              result.rows.map((row) =>
                columns.map((c) => (row[c] !== null && typeof row[c] === "object" ? JSON.stringify(row[c]) : row[c])),
              ),
            );
      const scanned = result.metrics?.bytes_scanned;
      return scanned === undefined
        ? table
        : `${table}(${result.metrics?.files_scanned ?? 0} files, ${scanned} bytes read)\n`;
    });
  },
  commands: {
    backfill: {
      summary: "Stream calls stored before the stream existed (D1, and the R2 archive for older ones)",
      description:
        "Sends, oldest first, the pushes archived in R2 whose calls D1 no longer holds, then the calls D1 holds, up\n" +
        "to where live streaming began. The relay keeps the run's position: an interrupted backfill goes on where\n" +
        "it stopped when run again with the same --since, and a finished one sends nothing twice.",
      options: {
        since: {
          type: "string",
          value: "T",
          required: true,
          description: "Received at or after (ISO 8601 or epoch ms)",
        },
      },
      run: async ({ flags, api, out }) => {
        const since = flags.string("since");
        const total = { sent: 0, invalid: 0, scanned: 0, steps: 0 };
        /** @type {BackfillStep} */
        let step;
        do {
          step = /** @type {BackfillStep} */ (await api.post("/history/backfill", { since }));
          total.sent += step.sent;
          total.invalid += step.invalid;
          total.scanned += step.scanned;
          total.steps += 1;
          if (!step.complete) {
            const through = step.through === null ? "" : ` (through ${out.time(step.through)})`;
            out.note(`… ${step.phase === "archive" ? "archive" : "D1"}: ${total.sent} rows sent so far${through}`);
          }
        } while (!step.complete);
        out.show({ ...total, since: step.since, until: step.until }, () => {
          const invalid =
            total.invalid > 0 ? `, ${total.invalid} rows not sent (they do not match the schema: see /health)` : "";
          return total.sent === 0 && total.steps === 1
            ? `Nothing to send: calls received from ${out.time(step.since)} on are in the stream already.\n`
            : `Backfill complete: ${total.sent} rows sent${invalid}; calls from ${out.time(step.since)} on are in history.\n`;
        });
      },
    },
    call: {
      summary: "Show one call's latest version from history",
      args: ["voiceId"],
      relay: false,
      options: {
        source: { type: "string", value: "ID", description: "Its source (default src_default)" },
        warehouse: warehouseOption,
      },
      run: async (context) => {
        const sourceId = context.flags.string("source") ?? "src_default";
        const voiceId = context.args[0] ?? "";
        const row = await historyCall(context, sourceId, voiceId);
        if (row === null) throw new Error(`No call ${voiceId} from source ${sourceId} in history`);
        context.out.show(row, () => formatFields(Object.entries(row)));
      },
    },
  },
};
