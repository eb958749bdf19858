import { rows } from "./worker";

/** A source's hourly call and task rollups as kept (rows that count nothing left out). */
export const rollupCounts = async (source: string) => ({
  calls: await rows(
    `SELECT hour, intent_code AS code, call_status_new AS status, calls, connected FROM call_rollups
     WHERE source_id = ? AND calls != 0 ORDER BY 1, 2, 3`,
    source,
  ),
  tasks: await rows(
    "SELECT hour, task_id AS task, calls, connected FROM task_rollups WHERE source_id = ? AND calls != 0 ORDER BY 1, 2",
    source,
  ),
});

/** The same figures counted from a source's stored calls: what {@link rollupCounts} must equal. */
export const rollupRecount = async (source: string) => ({
  calls: await rows(
    `SELECT call_at / 3600000 AS hour, ifnull(intent_code, '') AS code, ifnull(call_status_new, -1) AS status,
       count(*) AS calls, sum(connected) AS connected FROM calls WHERE source_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    source,
  ),
  tasks: await rows(
    `SELECT call_at / 3600000 AS hour, ifnull(task_id, -1) AS task, count(*) AS calls, sum(connected) AS connected
     FROM calls WHERE source_id = ? GROUP BY 1, 2 ORDER BY 1, 2`,
    source,
  ),
});
