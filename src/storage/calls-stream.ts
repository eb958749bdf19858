import type { Pipeline } from "cloudflare:pipelines";
import { type SQL, sql } from "drizzle-orm";
import { describeError } from "../lib/log-error";
import { runBatch } from "./db/batch";

/** One row of the calls stream: D1's column names, values as the stream takes them (model/history/row.ts). */
export type HistoryRow = Record<string, string | number | boolean | null>;

/** The Basin stream binding calls are sent to (wrangler: `[[pipelines]] binding = "CALLS_STREAM"`). */
export type CallsStream = Pipeline<HistoryRow>;

/** The calls stream when the Worker has one bound; without it nothing is streamed and nothing else changes. */
export function callsStream(env: object): CallsStream | undefined {
  const stream = (env as { CALLS_STREAM?: CallsStream }).CALLS_STREAM;
  return stream && typeof stream.send === "function" ? stream : undefined;
}

/**
 * Rows per `send()`. A row is about 1.2 KB of JSON (every field, nulls included), so 2,000 rows, about 2.4 MB, stay
 * under Basin's 5 MB per ingestion request (https://developers.cloudflare.com/basin-pipelines/platform/limits/).
 */
export const ROWS_PER_SEND = 2_000;

/** Sends rows in chunks of {@link ROWS_PER_SEND}; resolves once the stream has confirmed every chunk. */
export async function sendRows(stream: CallsStream, rows: readonly HistoryRow[]): Promise<void> {
  const sends: Promise<void>[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_SEND) sends.push(stream.send(rows.slice(i, i + ROWS_PER_SEND)));
  await Promise.all(sends);
}

/** `stream_state` of a push: sent, not confirmed yet / confirmed / held (a row does not match the schema). */
export const STREAM_PENDING = 0;
export const STREAM_CONFIRMED = 1;
export const STREAM_HELD = 2;

/** Statements marking pushes confirmed (once only: a push already confirmed or held is left as it is). */
export function confirmStatements(pushIds: readonly string[], now: number): SQL[] {
  if (pushIds.length === 0) return [];
  const ids = JSON.stringify(pushIds);
  return [
    sql`UPDATE pushes SET stream_state = ${STREAM_CONFIRMED}
        WHERE id IN (SELECT value FROM json_each(${ids})) AND stream_state = ${STREAM_PENDING}`,
    // The first confirmation starts the streamed range (retention deletes no call received before it).
    sql`INSERT INTO history_state (id, last_confirmed_at, streamed_from)
        VALUES (1, ${now}, (SELECT min(received_at) FROM pushes WHERE id IN (SELECT value FROM json_each(${ids}))))
        ON CONFLICT (id) DO UPDATE SET
          last_confirmed_at = max(coalesce(history_state.last_confirmed_at, 0), excluded.last_confirmed_at),
          streamed_from = coalesce(history_state.streamed_from, excluded.streamed_from)`,
  ];
}

/** Statements holding a push whose rows do not all match the schema, counting the rows refused. */
export function holdStatements(pushId: string, invalid: number): SQL[] {
  return [
    sql`UPDATE pushes SET stream_state = ${STREAM_HELD} WHERE id = ${pushId}`,
    sql`INSERT INTO history_state (id, invalid_rows) VALUES (1, ${invalid})
        ON CONFLICT (id) DO UPDATE SET invalid_rows = invalid_rows + excluded.invalid_rows`,
  ];
}

/**
 * Confirmations waiting to be written, per isolate. They ride in the next push's write batch (no round trip of their
 * own). The flush waits for a quiet spell: each push that queues a confirmation restarts it, so while pushes keep
 * coming within {@link confirmTiming}'s delay (15 s; `waitUntil` lasts up to 30 s) no UPDATE is ever written, and
 * after the last push one UPDATE writes what is left. An isolate that ends before either loses them: those pushes
 * stay pending and the catch-up sends them again (at least once, never lost).
 */
const waiting = new Set<string>();
/** Which confirmLater call owns the flush: only the latest one writes, the earlier ones stand down. */
let generation = 0;

/**
 * How long confirmations wait for a push batch to carry them before one UPDATE writes them, and whether that UPDATE
 * is written at all (tests shorten the wait, or turn the flush off to see a push batch carry them).
 */
export const confirmTiming = { delayMs: 15_000, flush: true };

/**
 * The statements that write the confirmations waiting in this isolate, for a push's write batch, and what to do
 * when that batch fails (keep them waiting).
 */
export function takeConfirmations(now: number): { statements: SQL[]; failed: () => void } {
  if (waiting.size === 0) return { statements: [], failed: () => undefined };
  const ids = [...waiting];
  waiting.clear();
  return {
    statements: confirmStatements(ids, now),
    failed: () => {
      for (const id of ids) waiting.add(id);
    },
  };
}

async function flushWhenQuiet(d1: D1Database, mine: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, confirmTiming.delayMs));
  // A later push queued a confirmation meanwhile: its own flush owns what is left (pushes are flowing).
  if (mine !== generation || !confirmTiming.flush) return;
  const { statements, failed } = takeConfirmations(Date.now());
  await runBatch(d1, statements).catch((err: unknown) => {
    failed();
    console.error(JSON.stringify({ msg: "stream confirmations not written yet", error: describeError(err) }));
  });
}

/** Queues a push's confirmation: the next push batch carries it, or one UPDATE once no push came for the delay. */
export function confirmLater(ctx: Pick<ExecutionContext, "waitUntil">, d1: D1Database, pushId: string) {
  waiting.add(pushId);
  generation += 1;
  ctx.waitUntil(flushWhenQuiet(d1, generation));
}
