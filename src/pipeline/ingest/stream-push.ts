import type { NormalizedCall } from "../../model/calls/fields";
import { pushRows } from "../../model/history/row";
import { type CallsStream, confirmLater, holdStatements, sendRows } from "../../storage/calls-stream";
import { runBatch } from "../../storage/db/batch";

/** What streaming a push's calls did. */
export interface StreamOutcome {
  sent: number;
  invalid: number;
  confirmed: boolean;
}

/**
 * Sends the calls a push stored, one row per call version, after its durable write (run it in `waitUntil`). Rows
 * that do not match the schema are not sent: they are logged and counted, and the push is held (its calls stay in
 * D1; `/health` reports them). A failed send leaves the push pending: the catch-up sends it again from the archive.
 */
export async function streamPush(
  env: { DB: D1Database },
  stream: CallsStream,
  ctx: Pick<ExecutionContext, "waitUntil">,
  push: { pushId: string; calls: readonly NormalizedCall[] },
): Promise<StreamOutcome> {
  const { rows, invalid } = pushRows(push.calls, push.pushId);
  if (invalid.length > 0) {
    console.error(
      JSON.stringify({
        msg: "call rows do not match the stream's schema; not sent, push held",
        pushId: push.pushId,
        count: invalid.length,
        first: invalid.slice(0, 5),
      }),
    );
    await runBatch(env.DB, holdStatements(push.pushId, invalid.length)).catch(() => undefined);
  }
  try {
    await sendRows(stream, rows);
  } catch (err) {
    console.error(
      JSON.stringify({
        msg: "stream send failed; the catch-up sends it again",
        pushId: push.pushId,
        error: String(err),
      }),
    );
    return { sent: 0, invalid: invalid.length, confirmed: false };
  }
  if (invalid.length === 0) confirmLater(ctx, env.DB, push.pushId);
  return { sent: rows.length, invalid: invalid.length, confirmed: invalid.length === 0 };
}
