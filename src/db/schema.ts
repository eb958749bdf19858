import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    status: text("status", { enum: ["stored", "invalid", "too_large"] }).notNull(),
    contentType: text("content_type"),
    bytes: integer("bytes").notNull(),
    records: integer("records").notNull().default(0),
    accepted: integer("accepted").notNull().default(0),
    rejectedCount: integer("rejected_count").notNull().default(0),
    rejected: text("rejected", { mode: "json" }).$type<RejectedRecord[]>().notNull().default(sql`'[]'`),
    error: text("error"),
    reprocessedFrom: text("reprocessed_from"),
  },
  (t) => [
    index("pushes_received_at_idx").on(t.receivedAt),
    index("pushes_source_idx").on(t.sourceId, t.receivedAt),
    index("pushes_reprocessed_from_idx").on(t.reprocessedFrom),
  ],
);

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
    raw: text("raw").notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("calls_source_voice_uq").on(t.sourceId, t.voiceId),
    index("calls_received_at_idx").on(t.receivedAt),
    index("calls_task_idx").on(t.taskId),
    index("calls_intent_code_idx").on(t.intentCode),
    index("calls_connected_idx").on(t.connected, t.receivedAt),
    index("calls_source_idx").on(t.sourceId),
  ],
);

export const destinations = sqliteTable("destinations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  type: text("type").notNull(),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  filter: text("filter", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  sourceIds: text("source_ids", { mode: "json" }).$type<string[]>().notNull(),
  options: text("options", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  template: text("template"),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  disabledReason: text("disabled_reason"),
  previousSecret: text("previous_secret"),
  previousSecretExpiresAt: integer("previous_secret_expires_at"),
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
  },
  (t) => [index("delivery_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt)],
);

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
