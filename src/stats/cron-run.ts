import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronRuns } from "../db/schema";

/**
 * Keeps when the cron handler last ran: one row, one small write a run (a minute). `/health` shows it, so
 * `callrelay doctor` can tell a relay whose cron stopped. A failure is logged, never thrown: the figure is a gauge.
 */
export async function recordCronRun(d1: D1Database, scheduledTime: number) {
  await d1
    .prepare("INSERT INTO cron_runs (id, last_run_at) VALUES (1, ?1) ON CONFLICT DO UPDATE SET last_run_at = ?1")
    .bind(scheduledTime)
    .run()
    .catch((err) => console.error(JSON.stringify({ msg: "could not record the cron run", error: String(err) })));
}

/** The statement reading the last cron run, for a batch. */
export const cronRunRow = (db: Db) =>
  db.select({ lastRunAt: cronRuns.lastRunAt }).from(cronRuns).where(sql`${cronRuns.id} = 1`);

/** The cron figure as `/health` shows it: `lastRunAt` is null before the first run. */
export const cronView = (row: { lastRunAt: number } | undefined) => ({
  lastRunAt: row ? new Date(row.lastRunAt).toISOString() : null,
});
