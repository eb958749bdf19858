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

/** `/health`'s `cron`: when the cron handler last ran (its scheduled time), null before it has or when unknown. */
export async function cronHealth(d1: D1Database) {
  const row = await d1
    .prepare("SELECT last_run_at AS lastRunAt FROM cron_runs WHERE id = 1")
    .first<{ lastRunAt: number }>()
    .catch(() => null);
  return { lastRunAt: row ? new Date(row.lastRunAt).toISOString() : null };
}
