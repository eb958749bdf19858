import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { chunkJsonRows } from "./db/batch";
import { callRollups, calls, rollupStarts, taskCostRollups, taskRollups } from "./db/schema";

const hour = sql`${calls.callAt} / 3600000`;

/** A push's calls of one source, as stored at the moment the statement runs: one JSON array of voiceIds each. */
const ofPush = (sourceId: string, voiceIds: string) =>
  sql`${calls.sourceId} = ${sourceId} AND ${calls.voiceId} IN (SELECT value FROM json_each(${voiceIds}))`;

/** The call rollup counts of those calls, by rollup key. */
const callGroups = (sourceId: string, voiceIds: string) => sql`
  SELECT ${hour} AS hour, ifnull(${calls.intentCode}, '') AS intent_code, ifnull(${calls.intent}, '') AS intent,
    ifnull(${calls.callStatusNew}, -1) AS call_status_new, ifnull(${calls.callDescription}, -1) AS call_description,
    count(*) AS n, sum(${calls.connected}) AS connected
  FROM ${calls} WHERE ${ofPush(sourceId, voiceIds)} GROUP BY 1, 2, 3, 4, 5`;

/** The task rollup counts of those calls, by rollup key. */
const taskGroups = (sourceId: string, voiceIds: string) => sql`
  SELECT ${hour} AS hour, ifnull(${calls.taskId}, -1) AS task_id, count(*) AS n, sum(${calls.connected}) AS connected
  FROM ${calls} WHERE ${ofPush(sourceId, voiceIds)} GROUP BY 1, 2`;

/** The name of {@link taskCostRollups}' row in {@link rollupStarts}. */
export const TASK_COST_ROLLUPS = "task_cost_rollups";

/**
 * A decimal money string as a whole number of millionths (`"0.1"` → 100000); null, empty or not a number → 0.
 * Exact for amounts below 10^9 with at most 6 decimals; more decimals round half away from zero.
 */
export const microsSql = (money: SQLiteColumn) =>
  sql`CAST(round(CAST(ifnull(${money}, '0') AS REAL) * 1000000) AS INTEGER)`;

/** The calls the task cost rollup counts: those above its start. */
const countedByTaskCosts = sql`${calls.id} > (
    SELECT ifnull(max(${rollupStarts.afterCallId}), 0) FROM ${rollupStarts} WHERE ${rollupStarts.name} = ${TASK_COST_ROLLUPS})`;

/** The task cost rollup sums of the calls `where` selects, by rollup key (and source). */
const taskCostSums = (where: SQL) => sql`
  SELECT ${hour} AS hour, ${calls.sourceId} AS source_id, ifnull(${calls.taskId}, -1) AS task_id, ifnull(${calls.intentCode}, '') AS intent_code,
    ifnull(${calls.currency}, '') AS currency, ${calls.connected} AS connected, count(*) AS n,
    sum(CASE WHEN ${calls.connected} THEN ifnull(${calls.callDuration}, 0) ELSE 0 END) AS talk,
    sum(ifnull(${calls.chargedDuration}, 0)) AS charged, sum(ifnull(${calls.aiAgentChargedDuration}, 0)) AS ai_charged,
    sum(${microsSql(calls.cost)}) AS line_cost, sum(${microsSql(calls.aiAgentQuoteFee)}) AS ai_cost
  FROM ${calls} WHERE ${where}
  GROUP BY 1, 2, 3, 4, 5, 6`;

/** The task cost rollup sums of a push's calls, by rollup key: only calls stored since the rollup exists. */
const taskCostGroups = (sourceId: string, voiceIds: string) =>
  taskCostSums(sql`${ofPush(sourceId, voiceIds)} AND ${countedByTaskCosts}`);

/** Adds sums grouped by {@link taskCostSums} to the task cost rollups. */
const addTaskCosts = (groups: SQL, sourceId: SQL) => sql`INSERT INTO ${taskCostRollups} (hour, source_id, task_id,
      intent_code, currency, connected, calls, talk_seconds, charged_seconds, ai_charged_seconds, line_cost_micros,
      ai_cost_micros)
    SELECT g.hour, ${sourceId}, g.task_id, g.intent_code, g.currency, g.connected, g.n, g.talk, g.charged, g.ai_charged,
      g.line_cost, g.ai_cost
    FROM (${groups}) AS g WHERE true
    ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, talk_seconds = talk_seconds + excluded.talk_seconds,
      charged_seconds = charged_seconds + excluded.charged_seconds,
      ai_charged_seconds = ai_charged_seconds + excluded.ai_charged_seconds,
      line_cost_micros = line_cost_micros + excluded.line_cost_micros, ai_cost_micros = ai_cost_micros + excluded.ai_cost_micros`;

/** Takes the counts of calls as stored now out of the rollups (their row exists: it counted them). */
const subtract = (sourceId: string, voiceIds: string): SQL[] => [
  sql`UPDATE ${callRollups} SET calls = ${callRollups.calls} - g.n, connected = ${callRollups.connected} - g.connected
    FROM (${callGroups(sourceId, voiceIds)}) AS g
    WHERE ${callRollups.hour} = g.hour AND ${callRollups.sourceId} = ${sourceId}
      AND ${callRollups.intentCode} = g.intent_code AND ${callRollups.intent} = g.intent
      AND ${callRollups.callStatusNew} = g.call_status_new AND ${callRollups.callDescription} = g.call_description`,
  sql`UPDATE ${taskRollups} SET calls = ${taskRollups.calls} - g.n, connected = ${taskRollups.connected} - g.connected
    FROM (${taskGroups(sourceId, voiceIds)}) AS g
    WHERE ${taskRollups.hour} = g.hour AND ${taskRollups.sourceId} = ${sourceId} AND ${taskRollups.taskId} = g.task_id`,
  sql`UPDATE ${taskCostRollups} SET calls = ${taskCostRollups.calls} - g.n,
      talk_seconds = ${taskCostRollups.talkSeconds} - g.talk, charged_seconds = ${taskCostRollups.chargedSeconds} - g.charged,
      ai_charged_seconds = ${taskCostRollups.aiChargedSeconds} - g.ai_charged,
      line_cost_micros = ${taskCostRollups.lineCostMicros} - g.line_cost, ai_cost_micros = ${taskCostRollups.aiCostMicros} - g.ai_cost
    FROM (${taskCostGroups(sourceId, voiceIds)}) AS g
    WHERE ${taskCostRollups.hour} = g.hour AND ${taskCostRollups.sourceId} = ${sourceId}
      AND ${taskCostRollups.taskId} = g.task_id AND ${taskCostRollups.intentCode} = g.intent_code
      AND ${taskCostRollups.currency} = g.currency AND ${taskCostRollups.connected} = g.connected`,
];

/** Adds the counts of calls as stored now to the rollups. */
const add = (sourceId: string, voiceIds: string): SQL[] => [
  sql`INSERT INTO ${callRollups} (hour, source_id, intent_code, intent, call_status_new, call_description, calls, connected)
    SELECT g.hour, ${sourceId}, g.intent_code, g.intent, g.call_status_new, g.call_description, g.n, g.connected
    FROM (${callGroups(sourceId, voiceIds)}) AS g WHERE true
    ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, connected = connected + excluded.connected`,
  sql`INSERT INTO ${taskRollups} (hour, source_id, task_id, calls, connected)
    SELECT g.hour, ${sourceId}, g.task_id, g.n, g.connected FROM (${taskGroups(sourceId, voiceIds)}) AS g WHERE true
    ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, connected = connected + excluded.connected`,
  addTaskCosts(taskCostGroups(sourceId, voiceIds), sql`${sourceId}`),
];

/**
 * What keeps the hourly call, task and task cost rollups right around a push's call upserts, in the same batch: `before` takes
 * the push's calls as stored out of them, `after` adds them back as stored then. A call new to D1 is only added; a
 * call pushed again moves from its old keys to its new ones; a voiceId twice in one push counts once. Grouped, so a
 * push writes a row per rollup key it touches instead of two per call.
 */
export function callRollupStatements(sourceId: string, voiceIds: readonly string[]): { before: SQL[]; after: SQL[] } {
  const chunks = chunkJsonRows([...new Set(voiceIds)]);
  return {
    before: chunks.flatMap((chunk) => subtract(sourceId, chunk)),
    after: chunks.flatMap((chunk) => add(sourceId, chunk)),
  };
}

/** The background job that counts the calls stored before the task cost rollup existed (README, the campaign view). */
export const TASK_COST_BACKFILL = "task_cost_rollups_backfill";

/**
 * One chunk of {@link TASK_COST_BACKFILL}: the `limit` highest call ids at or below the rollup's start are added to
 * it and the start moves below them, in one batch, so the rollup always equals a recount of the calls above its
 * start (pushes in between included). Both statements check the start they were planned from, so a chunk run twice
 * does nothing the second time. Reads: the start row and an index range of `limit` ids.
 */
export async function taskCostBackfillChunk(d1: D1Database, limit: number) {
  const start = await d1
    .prepare("SELECT after_call_id AS w FROM rollup_starts WHERE name = ?")
    .bind(TASK_COST_ROLLUPS)
    .first<{ w: number }>();
  const top = start?.w ?? 0;
  if (top <= 0) return { statements: [], rows: 0, cursor: null };
  const low = await d1
    .prepare("SELECT id FROM calls WHERE id <= ? ORDER BY id DESC LIMIT 1 OFFSET ?")
    .bind(top, limit - 1)
    .first<{ id: number }>();
  const from = low?.id ?? 0;
  const unchanged = sql`(SELECT ${rollupStarts.afterCallId} FROM ${rollupStarts} WHERE ${rollupStarts.name} = ${TASK_COST_ROLLUPS}) = ${top}`;
  const statements = [
    addTaskCosts(
      taskCostSums(sql`${calls.id} >= ${from} AND ${calls.id} <= ${top} AND ${unchanged}`),
      sql`g.source_id`,
    ),
    sql`UPDATE ${rollupStarts} SET after_call_id = ${Math.max(from - 1, 0)}
      WHERE ${rollupStarts.name} = ${TASK_COST_ROLLUPS} AND ${rollupStarts.afterCallId} = ${top}`,
  ];
  return { statements, rows: limit, cursor: from > 1 ? String(from - 1) : null };
}
