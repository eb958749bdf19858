/**
 * What is wrong with the calls stream, from `/health`'s `history` key (null when the Worker predates it): each a
 * sentence saying what to fix. Empty when all is well or no stream is configured.
 * @param {{configured: boolean, pendingPushes: number, oldestPendingAt: number | null, invalidRows: number,
 *   lastConfirmedAt: number | null, backfillSince: number | null} | null | undefined} history
 * @param {number} [now]
 */
export function historyFindings(history, now = Date.now()) {
  if (!history?.configured) return [];
  /** @type {string[]} */
  const found = [];
  if (history.oldestPendingAt !== null && now - history.oldestPendingAt > 10 * 60_000) {
    found.push(
      `${history.pendingPushes} pushes wait for the calls stream, the oldest since ${new Date(history.oldestPendingAt).toISOString()}: ` +
        "the stream refuses rows (check `wrangler basin pipelines streams get`); the cron resends them once it takes them",
    );
  }
  if (history.lastConfirmedAt === null) {
    found.push("the calls stream has never confirmed a row: push a call, then check again");
  }
  if (history.invalidRows > 0) {
    found.push(
      `${history.invalidRows} call rows did not match the stream's schema and were not sent (their calls stay in D1): ` +
        "recreate the stream from basin/calls.schema.json",
    );
  }
  if (history.backfillSince !== null) {
    found.push(
      `a backfill from ${new Date(history.backfillSince).toISOString()} is unfinished: run \`npx callrelay history backfill\` again with that --since`,
    );
  }
  return found;
}
