import type { SQL } from "drizzle-orm";
import { insertJsonRows, runBatch, type Statement } from "../db/batch";
import { getDb } from "../db/client";
import { calls, pushBodies, pushes, type RejectedRecord, sources } from "../db/schema";
import { planDeliveries } from "../delivery/plan";
import { AppError, unlessStorageFails } from "../lib/errors";
import type { NormalizedCall } from "./fields";
import { normalize } from "./normalize";
import { parseRecord, pushBodySchema } from "./record-schema";

/** Longest raw record kept; a larger one is rejected (D1 caps a row at 1 MB). */
export const MAX_RECORD_CHARS = 256 * 1024;
const BODY_CHUNK_CHARS = 250_000;

/** One push as received, after authentication. */
export interface PushInput {
  pushId: string;
  sourceId: string;
  /** Set for the built-in `default` source, whose row is created by its first push. */
  ensureSource?: { id: string; name: string };
  body: string;
  bytes: number;
  contentType: string | null;
  receivedAt: number;
  /** The push whose stored body this one runs through ingest again. */
  reprocessedFrom?: string;
}

/** What a stored push answers. */
export interface PushResult {
  pushId: string;
  accepted: number;
  rejected: RejectedRecord[];
  /** The calls stored. */
  calls: NormalizedCall[];
  /** Deliveries created by this push, to enqueue once the batch has committed. */
  deliveryIds: string[];
}

type Parsed = { calls: NormalizedCall[]; raws: string[]; rejected: RejectedRecord[] };

/** Reads a push body into normalized calls and rejections; throws a 400 when the body itself is unusable. */
export function parsePushBody(body: string, sourceId: string, receivedAt: number): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new AppError("bad_request", `Body is not valid JSON: ${(err as Error).message}`);
  }
  const envelope = pushBodySchema.safeParse(json);
  if (!envelope.success) {
    throw new AppError("bad_request", 'Body must be a JSON object with an "array" of call records');
  }
  const parsed: Parsed = { calls: [], raws: [], rejected: [] };
  envelope.data.array.forEach((record, index) => {
    const result = parseRecord(record);
    const raw = JSON.stringify(record) ?? "null";
    if (!result.ok || raw.length > MAX_RECORD_CHARS) {
      parsed.rejected.push({
        index,
        voiceId: voiceIdOf(record),
        error: result.ok ? `record is larger than ${MAX_RECORD_CHARS} characters` : result.error,
      });
      return;
    }
    parsed.calls.push(normalize(result.report, sourceId, receivedAt));
    parsed.raws.push(raw);
  });
  return parsed;
}

function voiceIdOf(record: unknown): string | null {
  if (typeof record !== "object" || record === null) return null;
  const v = (record as Record<string, unknown>).voiceId;
  return typeof v === "string" || typeof v === "number" ? String(v).slice(0, 128) : null;
}

/**
 * Stores a push: the push log, its raw body, every readable record (upserted on source + voiceId) and
 * the deliveries they trigger, all in one atomic D1 batch. A body that is not a push is logged, then
 * answered with a 400; a D1 failure is a 503 and stores nothing.
 */
export async function ingestPush(d1: D1Database, input: PushInput): Promise<PushResult> {
  const db = getDb(d1);
  let parsed: Parsed;
  try {
    parsed = parsePushBody(input.body, input.sourceId, input.receivedAt);
  } catch (err) {
    if (err instanceof AppError) await logInvalidPush(d1, input, err.message);
    throw err;
  }
  const plan = await unlessStorageFails(() => planDeliveries(db, parsed.calls, input.receivedAt));
  const statements: Statement[] = [
    ...sourceRow(db, input),
    db.insert(pushes).values({
      id: input.pushId,
      sourceId: input.sourceId,
      receivedAt: input.receivedAt,
      status: "stored",
      contentType: input.contentType,
      bytes: input.bytes,
      records: parsed.calls.length + parsed.rejected.length,
      accepted: parsed.calls.length,
      rejectedCount: parsed.rejected.length,
      rejected: parsed.rejected,
      reprocessedFrom: input.reprocessedFrom,
    }),
    ...bodyRows(db, input),
    ...callUpserts(parsed, input),
    ...plan.paused,
    ...plan.pending,
  ];
  const results = await unlessStorageFails(() => runBatch(d1, statements));
  const created = results.slice(results.length - plan.pending.length).map((r) => r.results as { id: string }[]);
  return {
    pushId: input.pushId,
    accepted: parsed.calls.length,
    rejected: parsed.rejected,
    calls: parsed.calls,
    deliveryIds: created.flat().map((r) => r.id),
  };
}

function callUpserts(parsed: Parsed, input: PushInput): SQL[] {
  const rows = parsed.calls.map((call, i) => ({
    ...call,
    pushId: input.pushId,
    raw: parsed.raws[i] as string,
    createdAt: input.receivedAt,
    updatedAt: input.receivedAt,
  }));
  return insertJsonRows(calls, rows, { target: ["sourceId", "voiceId"], update: "all" });
}

function sourceRow(db: ReturnType<typeof getDb>, input: PushInput) {
  if (!input.ensureSource) return [];
  const { id, name } = input.ensureSource;
  return [
    db
      .insert(sources)
      .values({ id, name, tokenHash: null, createdAt: input.receivedAt, updatedAt: input.receivedAt })
      .onConflictDoNothing(),
  ];
}

function bodyRows(db: ReturnType<typeof getDb>, input: PushInput) {
  const rows = [];
  for (let seq = 0; seq * BODY_CHUNK_CHARS < input.body.length; seq++) {
    const chunk = input.body.slice(seq * BODY_CHUNK_CHARS, (seq + 1) * BODY_CHUNK_CHARS);
    rows.push(db.insert(pushBodies).values({ pushId: input.pushId, seq, chunk }));
  }
  return rows;
}

/** Logs a push that was not stored (not JSON, no `array`, too large), with its body when there is one. */
export async function logInvalidPush(
  d1: D1Database,
  input: PushInput,
  error: string,
  status: "invalid" | "too_large" = "invalid",
): Promise<void> {
  const db = getDb(d1);
  try {
    await runBatch(d1, [
      ...sourceRow(db, input),
      db.insert(pushes).values({
        id: input.pushId,
        sourceId: input.sourceId,
        receivedAt: input.receivedAt,
        status,
        contentType: input.contentType,
        bytes: input.bytes,
        error,
      }),
      ...bodyRows(db, input),
    ]);
  } catch (err) {
    console.error(JSON.stringify({ msg: "could not log invalid push", pushId: input.pushId, error: String(err) }));
  }
}
