import { desc } from "drizzle-orm";
import type { Db } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { calls } from "../../storage/db/schema";
import { normalizedCallColumns } from "../calls/normalized";
import { forwardDecision } from "./forward";
import type { Filter } from "./validate";

/** How many of the newest calls a preview reads. */
export const PREVIEW_SAMPLE = 1_000;

/**
 * How many of the newest {@link PREVIEW_SAMPLE} calls (of `sourceIds`, when given) a destination with `filter` would
 * get, decided as deliveries are ({@link forwardDecision}).
 */
export async function previewFilter(db: Db, filter: Filter, sourceIds: readonly string[] = []) {
  const rows = await db
    .select(normalizedCallColumns)
    .from(calls)
    .where(sourceIds.length === 0 ? undefined : inJsonArray(calls.sourceId, sourceIds))
    .orderBy(desc(calls.id))
    .limit(PREVIEW_SAMPLE);
  const target = { enabled: true, sourceIds, events: ["call.reported"], filter };
  const matched = rows.filter((call) => forwardDecision(target, call).verdict === "deliver").length;
  return { matched, sampled: rows.length };
}
