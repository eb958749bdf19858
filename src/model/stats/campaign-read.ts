import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { TASK_COST_ROLLUPS } from "../../storage/call-rollups";
import type { Db } from "../../storage/db/client";
import { rollupStarts, taskCostRollups } from "../../storage/db/schema";
import type { CampaignGroup } from "./campaign";

const total = (column: SQLiteColumn) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

/**
 * The task cost rollup groups of the hours `[firstHour, endHour)` (of those sources and tasks, when given), summed over the
 * hours: a row per source, task, intent code, currency and connected, never a read of `calls`. Also, while the
 * background job still counts the calls stored before the rollup existed, when it started (else null).
 */
export async function readCampaignGroups(
  db: Db,
  w: { firstHour: number; endHour: number; sourceIds?: readonly string[]; taskIds?: readonly number[] },
): Promise<{ groups: CampaignGroup[]; countedSince: number | null }> {
  const t = taskCostRollups;
  const [groups, start] = await db.batch([
    db
      .select({
        sourceId: t.sourceId,
        taskId: t.taskId,
        intentCode: t.intentCode,
        currency: t.currency,
        connected: t.connected,
        calls: total(t.calls),
        talkSeconds: total(t.talkSeconds),
        chargedSeconds: total(t.chargedSeconds),
        aiChargedSeconds: total(t.aiChargedSeconds),
        lineCostMicros: total(t.lineCostMicros),
        aiCostMicros: total(t.aiCostMicros),
      })
      .from(t)
      .where(
        and(
          gte(t.hour, w.firstHour),
          lt(t.hour, w.endHour),
          w.sourceIds?.length ? inArray(t.sourceId, [...w.sourceIds]) : undefined,
          w.taskIds === undefined ? undefined : inArray(t.taskId, [...w.taskIds]),
        ),
      )
      .groupBy(t.sourceId, t.taskId, t.intentCode, t.currency, t.connected),
    db
      .select({ startedAt: rollupStarts.startedAt, afterCallId: rollupStarts.afterCallId })
      .from(rollupStarts)
      .where(eq(rollupStarts.name, TASK_COST_ROLLUPS)),
  ]);
  const [row] = start;
  return { groups, countedSince: row && row.afterCallId > 0 ? row.startedAt : null };
}
