import { type SQL, sql } from "drizzle-orm";
import { chunkJsonRows } from "./db/batch";
import { callRollups, calls, taskRollups } from "./db/schema";

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
];

/**
 * What keeps the hourly call and task rollups right around a push's call upserts, in the same batch: `before` takes
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
