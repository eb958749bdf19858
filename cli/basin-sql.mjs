// @ts-check
import { UsageError } from "./args.mjs";

/** Basin SQL's REST API, as `wrangler basin sql query` calls it. */
const DEFAULT_BASE = "https://api.sql.cloudflarestorage.com";
/** The Iceberg table the calls stream's sink writes (namespace.table). */
export const DEFAULT_HISTORY_TABLE = "callrelay.calls";

/** @typedef {{schema: {name: string}[], rows: Record<string, unknown>[], metrics?: {bytes_scanned?: number, files_scanned?: number}}} SqlResult */

/** A query Basin SQL refused or could not run. */
export class HistoryQueryError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "HistoryQueryError";
  }
}

/**
 * Where history is and how to reach it, from the environment: the warehouse (`<account-id>_<bucket>`, from
 * `--warehouse` or `CALLRELAY_WAREHOUSE`; `wrangler basin catalog get <bucket>` prints it), the token
 * (`WRANGLER_BASIN_SQL_AUTH_TOKEN`, else `CLOUDFLARE_API_TOKEN`, as wrangler reads them) and the table.
 * @param {Record<string, string | undefined>} env
 * @param {string | undefined} warehouseFlag
 */
export function historyTarget(env, warehouseFlag) {
  const warehouse = warehouseFlag ?? env.CALLRELAY_WAREHOUSE;
  if (!warehouse) {
    throw new UsageError(
      "no warehouse: pass --warehouse or set CALLRELAY_WAREHOUSE (<account-id>_<bucket>; `npx wrangler basin catalog get callrelay-history` prints it)",
    );
  }
  const split = warehouse.indexOf("_");
  if (split <= 0 || split === warehouse.length - 1) {
    throw new UsageError(`warehouse "${warehouse}" is not <account-id>_<bucket-name>`);
  }
  const token = env.WRANGLER_BASIN_SQL_AUTH_TOKEN || env.CLOUDFLARE_API_TOKEN;
  if (!token) {
    throw new UsageError(
      "no Basin SQL token: set WRANGLER_BASIN_SQL_AUTH_TOKEN (or CLOUDFLARE_API_TOKEN) to an API token with Basin SQL, Basin Catalog and R2 read access",
    );
  }
  return {
    warehouse,
    accountId: warehouse.slice(0, split),
    bucket: warehouse.slice(split + 1),
    token,
    base: (env.CALLRELAY_BASIN_SQL_URL || DEFAULT_BASE).replace(/\/+$/, ""),
    table: env.CALLRELAY_HISTORY_TABLE || DEFAULT_HISTORY_TABLE,
  };
}

/**
 * Runs one query through Basin SQL's REST API: `POST {base}/api/v1/accounts/{account}/basin-sql/query/{bucket}`
 * with `{warehouse, query}` and the token as a bearer. Answers its `result`; throws with Basin's own messages.
 * @param {import("./http.mjs").Fetch} fetch
 * @param {ReturnType<typeof historyTarget>} target
 * @param {string} query
 * @returns {Promise<SqlResult>}
 */
export async function queryHistory(fetch, target, query) {
  const url = `${target.base}/api/v1/accounts/${encodeURIComponent(target.accountId)}/basin-sql/query/${encodeURIComponent(target.bucket)}`;
  /** @type {Response} */
  let res;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
      body: JSON.stringify({ warehouse: target.warehouse, query }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (err) {
    throw new HistoryQueryError(
      `could not reach Basin SQL at ${target.base}: ${err instanceof Error ? err.message : err}`,
    );
  }
  const text = await res.text();
  /** @type {{success?: boolean, result?: SqlResult, errors?: {code?: number, message?: string}[]} | null} */
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HistoryQueryError(
      `Basin SQL answered ${res.status} with something that is not JSON: ${text.slice(0, 100)}`,
    );
  }
  if (!body?.success || !body.result) {
    const errors = (body?.errors ?? []).map((e) => `${e.code ?? ""} ${e.message ?? ""}`.trim()).join("; ");
    const hint = res.status === 403 ? " (the token needs Basin SQL, Basin Catalog and R2 read permissions)" : "";
    throw new HistoryQueryError(`Basin SQL refused the query (${res.status}): ${errors || text.slice(0, 200)}${hint}`);
  }
  return body.result;
}

/**
 * A SQL string literal.
 * @param {string} value
 */
export const sqlString = (value) => `'${value.replaceAll("'", "''")}'`;
