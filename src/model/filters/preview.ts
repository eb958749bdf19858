import { desc } from "drizzle-orm";
import type { Db } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { calls } from "../../storage/db/schema";
import { normalizedCallColumns } from "../calls/normalized";
import { matchesFilter } from "./evaluate";
import type { Filter } from "./validate";

/** How many of the newest calls a preview reads. */
export const PREVIEW_SAMPLE = 1_000;

/** How many of the newest {@link PREVIEW_SAMPLE} calls (of `sourceIds`, when given) `filter` matches. */
export async function previewFilter(db: Db, filter: Filter, sourceIds: readonly string[] = []) {
  const rows = await db
    .select(normalizedCallColumns)
    .from(calls)
    .where(sourceIds.length === 0 ? undefined : inJsonArray(calls.sourceId, sourceIds))
    .orderBy(desc(calls.id))
    .limit(PREVIEW_SAMPLE);
  return { matched: rows.filter((call) => matchesFilter(filter, call)).length, sampled: rows.length };
}
