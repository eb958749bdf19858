import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { calleeKeySql, callTimeSql } from "./derived-columns";

const timestamps = {
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
};

export const sources = sqliteTable("sources", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  tokenHash: text("token_hash").unique(),
  ...timestamps,
});

export const pushes = sqliteTable(
  "pushes",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id").notNull(),
    receivedAt: integer("received_at").notNull(),
    /**
     * `set_aside`: D1 refused the push's statements for good (never a passing outage); its body stays archived and
     * nothing of it is deleted until it is reprocessed, which makes it `resolved`.
     */
    status: text("status", { enum: ["stored", "invalid", "too_large", "set_aside", "resolved"] }).notNull(),
    contentType: text("content_type"),
    bytes: integer("bytes").notNull(),
    records: integer("records").notNull().default(0),
    accepted: integer("accepted").notNull().default(0),
    rejectedCount: integer("rejected_count").notNull().default(0),
    rejected: text("rejected", { mode: "json" }).$type<RejectedRecord[]>().notNull().default(sql`'[]'`),
    error: text("error"),
    reprocessedFrom: text("reprocessed_from"),
    /** Key of the gzip-compressed body in the `ARCHIVE` R2 bucket; null when the body was not archived. */
    archiveKey: text("archive_key"),
    /**
     * Where the push's calls stand with the calls stream (`CALLS_STREAM`): null when no stream was bound as it was
     * stored, 0 sent but not confirmed yet, 1 confirmed (`send()` resolved), 2 held: a row did not match the schema.
     */
    streamState: integer("stream_state"),
  },
  (t) => [
    index("pushes_received_at_idx").on(t.receivedAt),
    // The stream's catch-up: pushes not confirmed yet (a handful; confirmed ones leave the index).
    index("pushes_stream_pending_idx").on(t.receivedAt).where(sql`stream_state = 0`),
    index("pushes_source_idx").on(t.sourceId, t.receivedAt),
    index("pushes_reprocessed_from_idx").on(t.reprocessedFrom),
  ],
);

/**
 * Legacy: push bodies kept in D1 before the R2 archive. Nothing writes here any more; reads fall back to it for
 * pushes without an `archiveKey`, and the retention sweep empties it after `RAW_RETENTION_DAYS`.
 */
export const pushBodies = sqliteTable(
  "push_bodies",
  {
    pushId: text("push_id").notNull(),
    seq: integer("seq").notNull(),
    chunk: text("chunk").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pushId, t.seq] })],
);

export const calls = sqliteTable(
  "calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sourceId: text("source_id").notNull(),
    voiceId: text("voice_id").notNull(),
    type: integer("type"),
    callee: text("callee"),
    displayNum: text("display_num"),
    submitTime: integer("submit_time"),
    callTime: integer("call_time"),
    ringingTime: integer("ringing_time"),
    answerTime: integer("answer_time"),
    hangupTime: integer("hangup_time"),
    billPeriod: text("bill_period"),
    code: text("code"),
    recordingFileId: text("recording_file_id"),
    recordingFileUrl: text("recording_file_url"),
    ringDuration: integer("ring_duration"),
    callDuration: integer("call_duration"),
    chargedDuration: integer("charged_duration"),
    currency: text("currency"),
    quoteExchange: text("quote_exchange"),
    rate: text("rate"),
    cost: text("cost"),
    costEur: text("cost_eur"),
    settleRate: text("settle_rate"),
    settlePay: text("settle_pay"),
    aiAgentChargedDuration: integer("ai_agent_charged_duration"),
    aiAgentBillPeriod: text("ai_agent_bill_period"),
    aiAgentRate: text("ai_agent_rate"),
    aiAgentFee: text("ai_agent_fee"),
    aiAgentQuoteRate: text("ai_agent_quote_rate"),
    aiAgentQuoteFee: text("ai_agent_quote_fee"),
    terminationCode: text("termination_code"),
    terminationReason: text("termination_reason"),
    sipCode: text("sip_code"),
    calledInfo: text("called_info"),
    scriptId: integer("script_id"),
    intent: text("intent"),
    intentCode: text("intent_code"),
    taskId: integer("task_id"),
    sourceTaskId: integer("source_task_id"),
    callStatus: integer("call_status"),
    callStatusNew: integer("call_status_new"),
    callDescription: integer("call_description"),
    connected: integer("connected", { mode: "boolean" }).notNull(),
    callStatusLabel: text("call_status_label"),
    callDescriptionLabel: text("call_description_label"),
    receivedAt: integer("received_at").notNull(),
    pushId: text("push_id").notNull(),
    /** Fields of the record outside the known set (usually null); the whole record stays in the push's archive. */
    extra: text("extra", { mode: "json" }).$type<Record<string, unknown>>(),
    ...timestamps,
    /** The call's own time: `callTime`, else `submitTime`, else `receivedAt` (virtual: kept only in its index). */
    callAt: integer("call_at").generatedAlwaysAs(callTimeSql, { mode: "virtual" }),
    /** `callee` reversed without `+`, spaces, dashes, brackets: a tail search is a prefix range on its index. */
    calleeKey: text("callee_key").generatedAlwaysAs(calleeKeySql, { mode: "virtual" }),
  },
  (t) => [
    // Each index is one more row written per call; keep one only where a query needs it.
    // `/calls?since&until` and `/stats` windows on the call's own time.
    index("calls_call_at_idx").on(t.callAt),
    // `/calls?callee=`: whole number or its last digits.
    index("calls_callee_key_idx").on(t.calleeKey),
    // The upsert of every push (ON CONFLICT), GET /calls/{sourceId}/{voiceId}, `sourceId` of GET /calls.
    uniqueIndex("calls_source_voice_uq").on(t.sourceId, t.voiceId),
    // `since`/`until` of GET /calls, replay windows, the retention sweep.
    index("calls_received_at_idx").on(t.receivedAt),
    // No index on `taskId` or `intentCode` (migration `calls_indexes_rollups_serve`): their counts come from the
    // rollups, and GET /calls compares them while scanning, a bounded number of calls per page.
  ],
);

/**
 * Call counts per hour of the call's own time, source, intent, status and description, kept by triggers on
 * `calls` (migration `stats_rollup_triggers`): a stored call adds 1, a re-push that changes one of these moves
 * it, a deleted call changes nothing. Absent values are stored as -1 (numbers) or '' (text), so the key is
 * unique. `GET /stats` reads these, never `calls`. Tasks have their own table: crossed with the rest, a
 * campaign's dozens of tasks would multiply the rows an hour holds.
 */
export const callRollups = sqliteTable(
  "call_rollups",
  {
    hour: integer("hour").notNull(),
    sourceId: text("source_id").notNull(),
    intentCode: text("intent_code").notNull(),
    intent: text("intent").notNull(),
    callStatusNew: integer("call_status_new").notNull(),
    callDescription: integer("call_description").notNull(),
    calls: integer("calls").notNull(),
    connected: integer("connected").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.sourceId, t.intentCode, t.intent, t.callStatusNew, t.callDescription] })],
);

/** Call counts per hour of the call's own time, source and task (-1: none), kept like {@link callRollups}. */
export const taskRollups = sqliteTable(
  "task_rollups",
  {
    hour: integer("hour").notNull(),
    sourceId: text("source_id").notNull(),
    taskId: integer("task_id").notNull(),
    calls: integer("calls").notNull(),
    connected: integer("connected").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.sourceId, t.taskId] })],
);

/**
 * A campaign's figures per hour of the call's own time, source, task (-1: none), intent code ('': none), quote
 * currency ('': none, which the vendor sends for USD) and connected (0/1), kept by grouped statements in each push's
 * batch like {@link callRollups}: counts, seconds talked (of connected calls), line and AI-agent billed seconds, and
 * the line `cost` and AI-agent `aiAgentQuoteFee` in millionths of the quote currency. Keyed finer than
 * {@link taskRollups} so a filter on task, intent, currency, connected or source is answered exactly. Counts the
 * calls whose `id` is above `rollup_starts.after_call_id` (the calls stored before the table existed are not in it).
 */
export const taskCostRollups = sqliteTable(
  "task_cost_rollups",
  {
    hour: integer("hour").notNull(),
    sourceId: text("source_id").notNull(),
    taskId: integer("task_id").notNull(),
    intentCode: text("intent_code").notNull(),
    currency: text("currency").notNull(),
    connected: integer("connected").notNull(),
    calls: integer("calls").notNull(),
    talkSeconds: integer("talk_seconds").notNull(),
    chargedSeconds: integer("charged_seconds").notNull(),
    aiChargedSeconds: integer("ai_charged_seconds").notNull(),
    lineCostMicros: integer("line_cost_micros").notNull(),
    aiCostMicros: integer("ai_cost_micros").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.sourceId, t.taskId, t.intentCode, t.currency, t.connected] })],
);

/** Where a rollup that was added later starts counting: the calls with an `id` above `afterCallId`. */
export const rollupStarts = sqliteTable("rollup_starts", {
  name: text("name").primaryKey(),
  afterCallId: integer("after_call_id").notNull(),
  startedAt: integer("started_at").notNull(),
});

/** Pushes, records and rejected records per hour received and source, kept by triggers on `pushes`. */
export const pushRollups = sqliteTable(
  "push_rollups",
  {
    hour: integer("hour").notNull(),
    sourceId: text("source_id").notNull(),
    pushes: integer("pushes").notNull(),
    records: integer("records").notNull(),
    rejected: integer("rejected").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.hour, t.sourceId] }),
    // A source's totals (`GET /sources`) read its own rows only.
    index("push_rollups_source_idx").on(t.sourceId),
  ],
);

/** Deliveries per hour created, destination, source and current status, kept by triggers on `deliveries`. */
export const deliveryRollups = sqliteTable(
  "delivery_rollups",
  {
    hour: integer("hour").notNull(),
    destinationId: text("destination_id").notNull(),
    sourceId: text("source_id").notNull(),
    status: text("status").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.destinationId, t.sourceId, t.status] })],
);

/**
 * Attempts per destination and hour attempted: how many delivered, failed for good or will retry, their summed
 * duration, a histogram of durations (`lat0`..`lat8`: the buckets of `storage/health-rollups.ts`) and the last attempt.
 * Written in the same batch as the attempts (`storage/health-rollups.ts`), so it always equals a recount of them.
 */
export const destinationHealth = sqliteTable(
  "destination_health",
  {
    destinationId: text("destination_id").notNull(),
    hour: integer("hour").notNull(),
    delivered: integer("delivered").notNull(),
    failed: integer("failed").notNull(),
    retried: integer("retried").notNull(),
    durationMs: integer("duration_ms").notNull(),
    lat0: integer("lat0").notNull(),
    lat1: integer("lat1").notNull(),
    lat2: integer("lat2").notNull(),
    lat3: integer("lat3").notNull(),
    lat4: integer("lat4").notNull(),
    lat5: integer("lat5").notNull(),
    lat6: integer("lat6").notNull(),
    lat7: integer("lat7").notNull(),
    lat8: integer("lat8").notNull(),
    lastAt: integer("last_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.destinationId, t.hour] })],
);

/** The calls stream's state: one row (id 1), updated with each confirmation. */
export const historyState = sqliteTable("history_state", {
  id: integer("id").primaryKey(),
  /** When a send() of the stream last resolved (epoch ms). */
  lastConfirmedAt: integer("last_confirmed_at"),
  /** Rows that did not match the stream's schema, so were never sent (their calls are kept in D1). */
  invalidRows: integer("invalid_rows").notNull().default(0),
  /**
   * Calls received from this time on are in the stream once their push is confirmed: the first push streamed, lowered
   * by a finished backfill. Retention deletes no call received before it.
   */
  streamedFrom: integer("streamed_from"),
  /** Calls received before this were deleted from D1 once the stream had confirmed them: they are in history. */
  movedBefore: integer("moved_before"),
  /** The backfill in progress: its `since`, the end of its range, and where it stopped (JSON, null when done). */
  backfillSince: integer("backfill_since"),
  backfillUntil: integer("backfill_until"),
  backfillCursor: text("backfill_cursor"),
});

/** The database size D1 last reported (`meta.size_after`): one row. */
export const storageUsage = sqliteTable("storage_usage", {
  id: integer("id").primaryKey(),
  bytes: integer("bytes").notNull(),
  measuredAt: integer("measured_at").notNull(),
});

/** When the cron handler last ran (its scheduled time): one row, written each run (`storage/cron-run.ts`), read by `/health`. */
export const cronRuns = sqliteTable("cron_runs", {
  id: integer("id").primaryKey(),
  lastRunAt: integer("last_run_at").notNull(),
});

/**
 * One row (id 1) whose `version` triggers on `destinations` set to a new random value whenever a destination is
 * created or deleted, or its filter, sources or enabled flag change (migration `destinations_version_triggers`). A push plans its
 * deliveries from a per-isolate cached list and checks this version inside its write batch.
 */
export const destinationsVersion = sqliteTable("destinations_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
});

export const circuitStates = ["closed", "open", "half_open"] as const;
export type CircuitState = (typeof circuitStates)[number];

export const destinations = sqliteTable("destinations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  type: text("type").notNull(),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  filter: text("filter", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  sourceIds: text("source_ids", { mode: "json" }).$type<string[]>().notNull(),
  options: text("options", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  template: text("template"),
  /** Event types this destination receives; its `filter` applies to `call.reported` only. */
  events: text("events", { mode: "json" }).$type<string[]>().notNull().default(sql`'["call.reported"]'`),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  disabledReason: text("disabled_reason"),
  previousSecret: text("previous_secret"),
  previousSecretExpiresAt: integer("previous_secret_expires_at"),
  /** The circuit breaker: `open` holds deliveries until `openUntil`; `half_open` has one probe out until then. */
  circuit: text("circuit", { enum: circuitStates }).notNull().default("closed"),
  /** Consecutive failed or timed-out attempts. */
  failStreak: integer("fail_streak").notNull().default(0),
  /** Times the circuit opened since it was last closed: each doubles the cool-down. */
  circuitTrips: integer("circuit_trips").notNull().default(0),
  openUntil: integer("open_until"),
  /** Did not answer within the fast lane's budget: its deliveries go through the slow lane. */
  slow: integer("slow", { mode: "boolean" }).notNull().default(false),
  ...timestamps,
});

export const deliveryStatuses = ["pending", "delivered", "retrying", "failed", "paused"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    destinationId: text("destination_id").notNull(),
    sourceId: text("source_id").notNull(),
    voiceId: text("voice_id").notNull(),
    /** Set for an event delivery (source `""`, voiceId the event id); null for a call delivery. */
    eventId: text("event_id"),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    leaseUntil: integer("lease_until"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("deliveries_dest_source_voice_uq").on(t.destinationId, t.sourceId, t.voiceId),
    index("deliveries_status_idx").on(t.status, t.nextAttemptAt),
    index("deliveries_call_idx").on(t.sourceId, t.voiceId),
    index("deliveries_created_idx").on(t.createdAt),
    index("deliveries_destination_created_idx").on(t.destinationId, t.createdAt),
    index("deliveries_status_created_idx").on(t.status, t.createdAt),
  ],
);

/**
 * Why a delivery waits after a failed attempt: the retry schedule (`backoff`), the receiver's `Retry-After`, or a
 * fast-lane timeout handed at once to the slow lane.
 */
export const attemptWaitReasons = ["backoff", "retry_after", "slow_lane"] as const;
export type AttemptWaitReason = (typeof attemptWaitReasons)[number];

export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id").notNull(),
    attemptedAt: integer("attempted_at").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    outcome: text("outcome", { enum: ["delivered", "retry", "failed"] }).notNull(),
    error: text("error"),
    responseBody: text("response_body"),
    /** Why the delivery waits after this attempt (null when it does not: delivered, failed). */
    waitReason: text("wait_reason", { enum: attemptWaitReasons }),
    /** When its next attempt was planned after this one (null when none). */
    nextAttemptAt: integer("next_attempt_at"),
    /** The R2 object holding the request as sent and the answer (`attempts/…`); null when none was kept. */
    detailKey: text("detail_key"),
  },
  (t) => [index("delivery_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt)],
);

/** Events about the operation (alerts, digests), each delivered to the destinations subscribed to its type. */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /** The source the event is about, when it is about one (destinations that select sources filter on it). */
    sourceId: text("source_id"),
    /** The destination the event is about (a failing one is not alerted about itself), or the only one it goes to. */
    destinationId: text("destination_id"),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("events_created_idx").on(t.createdAt)],
);

/** One row per scheduled or once-only event produced: inserting the key claims it, so overlapping runs produce it once. */
export const eventClaims = sqliteTable(
  "event_claims",
  {
    key: text("key").primaryKey(),
    eventId: text("event_id").notNull(),
    claimedAt: integer("claimed_at").notNull(),
  },
  (t) => [index("event_claims_claimed_idx").on(t.claimedAt)],
);

/** Debounce state of a repeated event (one per key): when it was last produced and what came since. */
export const eventGates = sqliteTable(
  "event_gates",
  {
    key: text("key").primaryKey(),
    type: text("type").notNull(),
    windowMs: integer("window_ms").notNull(),
    sentAt: integer("sent_at").notNull(),
    /** Occurrences since `sentAt`, not yet in an event. */
    pending: integer("pending").notNull(),
    /** The latest occurrence's data, carried by the next event with the count. */
    lastData: text("last_data", { mode: "json" }).$type<Record<string, unknown>>(),
    version: integer("version").notNull(),
  },
  (t) => [index("event_gates_due_idx").on(t.pending, t.sentAt)],
);

export const jobStatuses = ["pending", "running", "done", "failed"] as const;
export type JobStatus = (typeof jobStatuses)[number];

/**
 * Background data jobs (src/jobs/run.ts): work across all rows that a migration queues (by inserting the job's row)
 * and the cron does after the deploy, a bounded chunk at a time. `/health` counts them by status.
 */
export const jobs = sqliteTable("jobs", {
  name: text("name").primaryKey(),
  status: text("status", { enum: jobStatuses }).notNull().default("pending"),
  /** Where the next chunk starts, in the job's own format; null before the first. */
  cursor: text("cursor"),
  /** Rows the chunks done so far covered. */
  rows: integer("rows").notNull().default(0),
  /** Chunks failed in a row; the job is `failed` after a few. */
  failures: integer("failures").notNull().default(0),
  error: text("error"),
  /** A cron run works on the job until then; null when none does. */
  leaseUntil: integer("lease_until"),
  ...timestamps,
});

/** A record of a push that could not be stored, with why. */
export interface RejectedRecord {
  index: number;
  voiceId: string | null;
  error: string;
}

/** Who changed what, when: admin API writes, console actions and sign-ins. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    outcome: text("outcome", { enum: ["ok", "failed"] }).notNull(),
    ip: text("ip"),
  },
  (t) => [index("audit_log_action_at_idx").on(t.action, t.at)],
);

/**
 * Console sessions of the admin token: the cookie carries a random secret (signed), the table its SHA-256, so
 * signing out ends one session and "sign out everywhere" ends them all. Rows past `expires_at` are swept on sign-in.
 */
export const consoleSessions = sqliteTable(
  "console_sessions",
  {
    id: text("id").primaryKey(),
    actor: text("actor").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("console_sessions_expires_at_idx").on(t.expiresAt)],
);
