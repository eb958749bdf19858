import type { SQL } from "drizzle-orm";
import { AppError, storageUnavailable } from "../../lib/errors";
import { type NormalizedCall, upstreamFields } from "../../model/calls/fields";
import { normalize } from "../../model/calls/normalize";
import { parseRecord, pushBodySchema } from "../../model/calls/record-schema";
import { type ArchivedPush, archiveKey, putArchive } from "../../storage/archive";
import { callRollupStatements } from "../../storage/call-rollups";
import { callsStream, STREAM_PENDING, takeConfirmations } from "../../storage/calls-stream";
import { insertJsonRows, runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { calls, pushes, type RejectedRecord, sources } from "../../storage/db/schema";
import { DEFAULT_SOURCE } from "../../storage/sources";
import {
  checkedVersion,
  type DeliveryPlan,
  destinationTargets,
  planDeliveriesTo,
  readTargets,
  versionCheck,
} from "../dispatch/plan";
import { type QueuedPush, queueIngest } from "./queue-ingest";

/** Largest `extra` (fields outside the known set) kept with a call; a record with more is rejected. */
export const MAX_EXTRA_CHARS = 256 * 1024;

/** The bindings a push is stored with: D1 for the rows, R2 for the body, a queue for bodies D1 could not take. */
export interface StorageEnv {
  DB: D1Database;
  ARCHIVE: R2Bucket;
  INGEST_QUEUE: Queue<QueuedPush>;
}

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
  /** D1's results of the push's write batch (`meta.size_after` for the storage watchdog); empty when queued. */
  d1Results: D1Result[];
  /** True when D1 was unavailable: the body is archived and will be ingested once D1 answers. */
  queued: boolean;
}

/** A call as read, with the fields of its record outside the known set. */
export type ParsedCall = NormalizedCall & { extra: Record<string, unknown> | null };

type Parsed = { calls: ParsedCall[]; rejected: RejectedRecord[] };

const knownFields = new Set<string>(["voiceId", ...Object.keys(upstreamFields)]);

function extraFields(record: unknown): Record<string, unknown> | null {
  let extra: Record<string, unknown> | null = null;
  for (const key in record as Record<string, unknown>) {
    if (knownFields.has(key)) continue;
    extra ??= {};
    extra[key] = (record as Record<string, unknown>)[key];
  }
  return extra;
}

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
  const parsed: Parsed = { calls: [], rejected: [] };
  envelope.data.array.forEach((record, index) => {
    const result = parseRecord(record);
    const extra = result.ok ? extraFields(record) : null;
    const tooLarge = extra !== null && (JSON.stringify(extra)?.length ?? 0) > MAX_EXTRA_CHARS;
    if (!result.ok || tooLarge) {
      parsed.rejected.push({
        index,
        voiceId: voiceIdOf(record),
        error: result.ok ? `fields outside the known set are larger than ${MAX_EXTRA_CHARS} characters` : result.error,
      });
      return;
    }
    parsed.calls.push(withExtra(normalize(result.report, sourceId, receivedAt), extra));
  });
  return parsed;
}

function withExtra(call: NormalizedCall, extra: Record<string, unknown> | null): ParsedCall {
  (call as ParsedCall).extra = extra;
  return call as ParsedCall;
}

function voiceIdOf(record: unknown): string | null {
  if (typeof record !== "object" || record === null) return null;
  const v = (record as Record<string, unknown>).voiceId;
  return typeof v === "string" || typeof v === "number" ? String(v).slice(0, 128) : null;
}

function archivedPush(input: PushInput): ArchivedPush {
  return {
    pushId: input.pushId,
    sourceId: input.sourceId,
    receivedAt: input.receivedAt,
    contentType: input.contentType,
    bytes: input.bytes,
    ensureDefaultSource: input.ensureSource !== undefined,
    reprocessedFrom: input.reprocessedFrom,
  };
}

/**
 * Stores a push: its body gzip-compressed in the R2 archive and, at the same time, one atomic D1 batch with the
 * push log, every readable record (upserted on source + voiceId) and the deliveries they trigger. When D1 fails
 * but the archive took the body, the push is queued for ingest once D1 answers (`queued: true`); when both
 * fail it is a 503 and nothing is stored. `archived`: the body is in the archive already (a queued push).
 */
export async function ingestPush(env: StorageEnv, input: PushInput, archived = false): Promise<PushResult> {
  let parsed: Parsed;
  try {
    parsed = parsePushBody(input.body, input.sourceId, input.receivedAt);
  } catch (err) {
    if (err instanceof AppError) await logInvalidPush(env, input, err.message);
    throw err;
  }
  const key = archiveKey(input.pushId, input.receivedAt);
  const [archive, stored] = await Promise.allSettled([
    archived ? Promise.resolve() : putArchive(env.ARCHIVE, key, input.body, archivedPush(input)),
    storeInD1(env.DB, input, parsed, key, callsStream(env) !== undefined),
  ]);
  const result = {
    pushId: input.pushId,
    accepted: parsed.calls.length,
    rejected: parsed.rejected,
    calls: parsed.calls,
  };
  if (stored.status === "fulfilled") {
    if (archive.status === "rejected") await forgetArchive(env.DB, input.pushId, archive.reason);
    return { ...result, deliveryIds: stored.value.deliveryIds, d1Results: stored.value.results, queued: false };
  }
  if (archived || archive.status === "rejected") throw storageUnavailable(stored.reason);
  console.error(
    JSON.stringify({ msg: "D1 failed; push archived and queued", pushId: input.pushId, error: String(stored.reason) }),
  );
  await queueIngest(env, { pushId: input.pushId, key });
  return { ...result, deliveryIds: [], d1Results: [], queued: true };
}

/** Times a push plans its deliveries again when the destinations keep changing under it. */
const REPLANS = 3;

/**
 * One D1 batch: the push log, the calls, and the deliveries planned from this isolate's cached destinations,
 * inserted only if the destinations are still at the cached version; the batch answers the version at commit.
 * When a destination changed (created a moment ago, say), the deliveries are planned again from a fresh read.
 * With a calls stream the push is marked pending for it, and the batch carries the isolate's waiting stream
 * confirmations (no round trip of their own). Answers the pending deliveries created and D1's results (for
 * `meta.size_after`).
 */
async function storeInD1(
  d1: D1Database,
  input: PushInput,
  parsed: Parsed,
  key: string,
  streaming: boolean,
): Promise<{ deliveryIds: string[]; results: D1Result[] }> {
  const db = getDb(d1);
  let snapshot = await destinationTargets(db);
  let plan = planDeliveriesTo(snapshot.targets, parsed.calls, input.receivedAt, snapshot.version);
  const stored = [
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
      archiveKey: key,
      streamState: streaming && parsed.calls.length > 0 ? STREAM_PENDING : null,
    }),
    ...callUpserts(parsed, input),
  ];
  const check = parsed.calls.length > 0 ? [versionCheck()] : [];
  const confirmations = takeConfirmations(input.receivedAt);
  let results = await runBatch(d1, [
    ...confirmations.statements,
    ...stored,
    ...plan.paused,
    ...plan.pending,
    ...check,
  ]).catch((err: unknown) => {
    confirmations.failed();
    throw err;
  });
  const all = results;
  for (let replan = 0; check.length > 0 && checkedVersion(results.at(-1) as D1Result) !== snapshot.version; replan++) {
    snapshot = await readTargets(db);
    const last = replan === REPLANS - 1;
    plan = planDeliveriesTo(snapshot.targets, parsed.calls, input.receivedAt, last ? undefined : snapshot.version);
    results = await runBatch(d1, [...plan.paused, ...plan.pending, ...(last ? [] : check)]);
    if (last) return { deliveryIds: createdIds(results, plan, 0), results: all };
  }
  return { deliveryIds: createdIds(results, plan, check.length), results: all };
}

/**
 * Plans the deliveries of a push whose calls are stored already, when its own planning may not have finished (its
 * batch committed, then D1 failed while it planned again for destinations changed meanwhile): from the current
 * destinations, due now. Deliveries that exist are skipped, so it never sends twice. Answers those created.
 */
export async function planStoredPush(d1: D1Database, input: PushInput, now = Date.now()): Promise<string[]> {
  const parsed = parsePushBody(input.body, input.sourceId, input.receivedAt);
  if (parsed.calls.length === 0) return [];
  const { targets } = await readTargets(getDb(d1), now);
  const plan = planDeliveriesTo(targets, parsed.calls, now);
  return createdIds(await runBatch(d1, [...plan.paused, ...plan.pending]), plan, 0);
}

/** The ids of the pending deliveries a batch ending with `plan`'s inserts (then `after` statements) created. */
function createdIds(results: D1Result[], plan: DeliveryPlan, after: number): string[] {
  const end = results.length - after;
  return results
    .slice(end - plan.pending.length, end)
    .flatMap((r) => (r.results as { id: string }[]).map((row) => row.id));
}

/** The archive did not take a body D1 stored: the push log must not point at a missing object. */
async function forgetArchive(d1: D1Database, pushId: string, reason: unknown) {
  console.error(JSON.stringify({ msg: "archive failed; push stored without its body", pushId, error: String(reason) }));
  await d1
    .prepare("UPDATE pushes SET archive_key = NULL WHERE id = ?")
    .bind(pushId)
    .run()
    .catch(() => undefined);
}

/**
 * The upserts of a push's calls on source + voiceId (`INSERT … SELECT … FROM json_each(?)`, chunked), between the
 * statements that keep the hourly call and task rollups right.
 */
export function callUpserts(parsed: Parsed, input: Pick<PushInput, "pushId" | "receivedAt">): SQL[] {
  const first = parsed.calls[0];
  if (!first) return [];
  const shared = {
    sourceId: first.sourceId,
    receivedAt: first.receivedAt,
    pushId: input.pushId,
    createdAt: input.receivedAt,
    updatedAt: input.receivedAt,
  };
  const rollups = callRollupStatements(
    first.sourceId,
    parsed.calls.map((call) => call.voiceId),
  );
  return [
    ...rollups.before,
    ...insertJsonRows(calls, parsed.calls, { target: ["sourceId", "voiceId"], update: "all" }, undefined, shared),
    ...rollups.after,
  ];
}

function sourceRow(db: ReturnType<typeof getDb>, input: Pick<PushInput, "ensureSource" | "receivedAt">) {
  if (!input.ensureSource) return [];
  const { id, name } = input.ensureSource;
  return [
    db
      .insert(sources)
      .values({ id, name, tokenHash: null, createdAt: input.receivedAt, updatedAt: input.receivedAt })
      .onConflictDoNothing(),
  ];
}

/** The input of a push that was archived earlier, e.g. while D1 was unavailable. */
export function archivedInput(push: ArchivedPush, body: string): PushInput {
  return {
    pushId: push.pushId,
    sourceId: push.sourceId,
    ensureSource: push.ensureDefaultSource ? DEFAULT_SOURCE : undefined,
    body,
    bytes: push.bytes,
    contentType: push.contentType,
    receivedAt: push.receivedAt,
    reprocessedFrom: push.reprocessedFrom,
  };
}

/**
 * Logs a push that was not stored (not JSON, no `array`, too large), with its body archived when there is one
 * to keep (a too-large body is not read).
 */
export async function logInvalidPush(
  env: StorageEnv,
  input: PushInput,
  error: string,
  status: "invalid" | "too_large" = "invalid",
): Promise<void> {
  const db = getDb(env.DB);
  try {
    const key = status === "invalid" ? archiveKey(input.pushId, input.receivedAt) : null;
    if (key !== null) await putArchive(env.ARCHIVE, key, input.body, archivedPush(input));
    await runBatch(env.DB, [
      ...sourceRow(db, input),
      db.insert(pushes).values({
        id: input.pushId,
        sourceId: input.sourceId,
        receivedAt: input.receivedAt,
        status,
        contentType: input.contentType,
        bytes: input.bytes,
        error,
        archiveKey: key,
      }),
    ]);
  } catch (err) {
    console.error(JSON.stringify({ msg: "could not log invalid push", pushId: input.pushId, error: String(err) }));
  }
}
