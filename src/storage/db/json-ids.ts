import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/** `IN (…)` over any number of ids with one bound parameter (D1 allows 100 per statement). */
export function inJsonArray(column: SQLWrapper, ids: readonly string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}
