import { type SQL, sql } from "drizzle-orm";
import { AppError, storageFailure, storageFailureReason, storageUnavailable } from "../../lib/errors";
import { describeError } from "../../lib/log-error";
import { type CallReport, type NormalizedCall, upstreamFields } from "../../model/calls/fields";
import { normalize } from "../../model/calls/normalize";
import { parseRecord, pushBodySchema } from "../../model/calls/record-schema";
import { type ArchivedPush, archiveKey, putArchive, putMarker, setAsideMarker } from "../../storage/archive";
import { callRollupStatements } from "../../storage/call-rollups";
import { callsStream, STREAM_PENDING, takeConfirmations } from "../../storage/calls-stream";
import { insertJsonRows, MAX_JSON_PARAM_CHARS, runBatch } from "../../storage/db/batch";
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

/**
 * Largest `extra` (fields outside the known set) kept with a call; a record with more is rejected. With every known
 * string field at `MAX_FIELD_CHARS`, a record still fits one D1 statement (`MAX_JSON_PARAM_CHARS`).
 */
export const MAX_EXTRA_CHARS = 128 * 1024;

/** Most characters of rejected records kept in a push's log row (`rejectedCount` stays exact); the archive has all. */
export const MAX_STORED_REJECTIONS_CHARS = 64 * 1024;

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
  /** Why D1 refused the push for good when it was set aside (archived, logged `set_aside`, nothing stored); else null. */
  setAside: string | null;
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
  const records = envelope.data.array;
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    const result = parseRecord(record);
    if (!result.ok) {
      parsed.rejected.push({ index, voiceId: voiceIdOf(record), error: result.error });
      continue;
    }
    const extra = extraFields(record);
    const extraChars = extra === null ? 0 : (JSON.stringify(extra)?.length ?? 0);
    const tooLarge =
      extraChars > MAX_EXTRA_CHARS
        ? `fields outside the known set are larger than ${MAX_EXTRA_CHARS} characters`
        : fitsOneStatement(result.report, extraChars)
          ? null
          : `the record is larger than ${MAX_JSON_PARAM_CHARS} characters once read (its strings escaped)`;
    if (tooLarge === null) parsed.calls.push(withExtra(normalize(result.report, sourceId, receivedAt), extra));
    else parsed.rejected.push({ index, voiceId: voiceIdOf(record), error: tooLarge });
  }
  return parsed;
}

const stringFields = Object.entries(upstreamFields).flatMap(([name, kind]) => (kind === "string" ? [name] : []));
/** Characters of a stored row besides its strings and `extra`: numbers, labels, separators, the voiceId. */
const ROW_OVERHEAD_CHARS = 4_096;

/**
 * Whether a read record, stored as a row, fits one statement's JSON ({@link MAX_JSON_PARAM_CHARS}). Its strings can
 * grow up to six times when escaped (`\u0001`), so only a record whose strings are long enough to matter is
 * serialised to be measured.
 */
function fitsOneStatement(report: CallReport, extraChars: number): boolean {
  let chars = 0;
  for (const name of stringFields) chars += (report[name as keyof CallReport] as string | null)?.length ?? 0;
  if (6 * chars + extraChars + ROW_OVERHEAD_CHARS <= MAX_JSON_PARAM_CHARS) return true;
  return JSON.stringify(Object.values(report)).length + extraChars + ROW_OVERHEAD_CHARS <= MAX_JSON_PARAM_CHARS;
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
  const none = { deliveryIds: [], d1Results: [], queued: false, setAside: null };
  if (stored.status === "fulfilled") {
    if (archive.status === "rejected") await forgetArchive(env.DB, input.pushId, archive.reason);
    return { ...result, ...none, deliveryIds: stored.value.deliveryIds, d1Results: stored.value.results };
  }
  if (archive.status === "rejected") throw storageUnavailable(stored.reason);
  const reason = storageFailureReason(stored.reason);
  if (storageFailure(stored.reason) === "permanent" && (await setAsidePush(env, input, parsed, key, reason))) {
    return { ...result, ...none, setAside: reason };
  }
  if (archived) throw storageUnavailable(stored.reason);
  console.error(
    JSON.stringify({
      msg: "D1 failed; push archived and queued",
      pushId: input.pushId,
      error: describeError(stored.reason),
    }),
  );
  await queueIngest(env, { pushId: input.pushId, key }, input.body, archivedPush(input));
  return { ...result, ...none, queued: true };
}

/**
 * Sets aside a push whose statements D1 refuses for good (an outage never does): a `set_aside/` marker in the
 * archive holding a copy of its body (so neither retention nor the `raw/` lifecycle rule loses it), then its log row with the reason, so it is never retried
 * and never holds up the pushes queued behind it. False (nothing set aside) when D1 does not take the row either,
 * or the push is logged already.
 */
async function setAsidePush(
  env: StorageEnv,
  input: PushInput,
  parsed: Parsed,
  key: string,
  reason: string,
): Promise<boolean> {
  console.error(
    JSON.stringify({ msg: "D1 refused the push for good; set aside", pushId: input.pushId, error: reason }),
  );
  const marker = setAsideMarker(input.pushId);
  try {
    await putMarker(env.ARCHIVE, marker, key, input.body, archivedPush(input));
    const db = getDb(env.DB);
    const results = await runBatch(env.DB, [
      ...sourceRow(db, input),
      db
        .insert(pushes)
        .values({
          ...pushLog(input, parsed, key),
          status: "set_aside",
          accepted: 0,
          error: `D1 refused this push: ${reason}. Its body is kept; reprocess it once the cause is fixed.`,
        })
        .onConflictDoNothing()
        .returning({ id: pushes.id }),
    ]);
    if ((results.at(-1)?.results.length ?? 0) > 0) return true;
  } catch (err) {
    console.error(
      JSON.stringify({ msg: "could not set the push aside", pushId: input.pushId, error: describeError(err) }),
    );
  }
  await env.ARCHIVE.delete(marker).catch(() => undefined);
  return false;
}

/** A push's log row as stored: its counts, and as many rejected records as {@link MAX_STORED_REJECTIONS_CHARS} allow. */
function pushLog(input: PushInput, parsed: Parsed, key: string) {
  return {
    id: input.pushId,
    sourceId: input.sourceId,
    receivedAt: input.receivedAt,
    status: "stored" as const,
    contentType: input.contentType,
    bytes: input.bytes,
    records: parsed.calls.length + parsed.rejected.length,
    accepted: parsed.calls.length,
    rejectedCount: parsed.rejected.length,
    rejected: keptRejections(parsed.rejected),
    reprocessedFrom: input.reprocessedFrom,
    archiveKey: key,
  };
}

/** The first rejected records, their reasons clipped, up to {@link MAX_STORED_REJECTIONS_CHARS} of JSON. */
export function keptRejections(rejected: readonly RejectedRecord[]): RejectedRecord[] {
  const kept: RejectedRecord[] = [];
  let size = 2;
  for (const r of rejected) {
    const record = r.error.length > 1_000 ? { ...r, error: `${r.error.slice(0, 997)}...` } : r;
    size += JSON.stringify(record).length + 1;
    if (size > MAX_STORED_REJECTIONS_CHARS) break;
    kept.push(record);
  }
  return kept;
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
      ...pushLog(input, parsed, key),
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
    ...plan.counts,
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
    results = await runBatch(d1, [...plan.paused, ...plan.pending, ...plan.counts, ...(last ? [] : check)]);
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
  return createdIds(await runBatch(d1, [...plan.paused, ...plan.pending, ...plan.counts]), plan, 0);
}

/** The ids of the pending deliveries a batch ending with `plan`'s inserts and counts (then `after` statements) created. */
function createdIds(results: D1Result[], plan: DeliveryPlan, after: number): string[] {
  const end = results.length - after - plan.counts.length;
  return results
    .slice(end - plan.pending.length, end)
    .flatMap((r) => (r.results as { id: string }[]).map((row) => row.id));
}

/** The archive did not take a body D1 stored: the push log must not point at a missing object. */
async function forgetArchive(d1: D1Database, pushId: string, reason: unknown) {
  console.error(
    JSON.stringify({ msg: "archive failed; push stored without its body", pushId, error: describeError(reason) }),
  );
  await d1
    .prepare("UPDATE pushes SET archive_key = NULL WHERE id = ?")
    .bind(pushId)
    .run()
    .catch(() => undefined);
}

/**
 * The report of a call that replaces the stored one: the newest by `receivedAt`, and of two received in the same
 * millisecond, the one stored later (within a push, the later record). A push queued while D1 was down keeps its
 * original `receivedAt`, so it never replaces a report received after it. A reprocess is received now: it wins.
 */
const newerReport = sql`excluded.received_at >= ${calls.receivedAt}`;

/**
 * The upserts of a push's calls on source + voiceId (`INSERT … SELECT … FROM json_each(?)`, chunked), each replacing
 * the stored report only when it is not older ({@link newerReport}), between the statements that keep the hourly
 * call and task rollups right (they count the calls as stored, whichever report won).
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
    ...insertJsonRows(
      calls,
      parsed.calls,
      { target: ["sourceId", "voiceId"], update: "all", where: newerReport },
      undefined,
      shared,
    ),
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
    console.error(
      JSON.stringify({ msg: "could not log invalid push", pushId: input.pushId, error: describeError(err) }),
    );
  }
}
