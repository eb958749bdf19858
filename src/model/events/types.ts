import { z } from "zod";

const count = z.number().int().nonnegative();
const iso = z.string().describe("ISO 8601 instant");
const money = z
  .string()
  .regex(/^-?\d{1,15}(\.\d{1,6})?$/)
  .describe("A decimal amount");
const hourWindow = z.object({ start: iso, end: iso });

/** `data` of each event type, as webhooks receive it and the README documents it. */
export const eventData = {
  "destination.disabled": z.object({
    destinationId: z.string(),
    destinationName: z.string(),
    reason: z.string().describe("Why the destination was disabled"),
    lastStatusCode: z.number().int().nullable(),
    lastResponse: z.string().nullable().describe("The start of the receiver's last answer"),
  }),
  "delivery.exhausted": z.object({
    destinationId: z.string(),
    destinationName: z.string(),
    count: count.describe("Deliveries that gave up since the last such event"),
    lastError: z.string().nullable(),
  }),
  "breaker.opened": z.object({
    destinationId: z.string(),
    destinationName: z.string(),
    failures: count.describe("Consecutive failures or timeouts that opened it"),
    openUntil: iso,
  }),
  "breaker.closed": z.object({
    destinationId: z.string(),
    destinationName: z.string(),
    openedAt: iso.nullable().describe("When it opened; null when that is no longer known"),
  }),
  "records.rejected": z.object({
    sourceId: z.string(),
    pushId: z.string().describe("The latest push with rejected records"),
    count: count.describe("Records rejected since the last such event"),
    reasons: z.array(z.string()).max(5).describe("The first distinct reasons"),
  }),
  "pushes.set_aside": z.object({
    sourceId: z.string(),
    pushId: z.string().describe("The latest push set aside"),
    count: count.describe("Pushes set aside since the last such event"),
    records: count.describe("Records in the latest push"),
    reason: z.string().describe("Why D1 refused it, without the statement's values"),
  }),
  "pushes.silent": z.object({
    sourceIds: z.array(z.string()).describe("The sources watched; empty: all"),
    lastPushAt: iso.nullable(),
    silentSince: iso,
    silentMinutes: count,
  }),
  "line.balance_announcement": z.object({
    sourceId: z.string(),
    count: count.describe("Calls with callDescription 10 since the last such event"),
    taskIds: z.array(z.number().int()).max(10),
    lastVoiceId: z.string(),
  }),
  "connect_rate.dropped": z.object({
    hour: hourWindow,
    calls: count,
    connected: count,
    rate: z.number().min(0).max(1),
    averageRate: z.number().min(0).max(1).describe("The same hour's connect rate over the previous 7 days"),
    dropRatio: z.number(),
  }),
  "storage.high": z.object({
    bytes: count,
    limitBytes: count,
    percent: z.number(),
    threshold: z.union([z.literal(80), z.literal(90)]),
  }),
  "digest.daily": digestShape(),
  "digest.hourly": digestShape(),
} as const;

function digestShape() {
  const period = z.object({ calls: count, connected: count, connectRate: z.number().min(0).max(1).nullable() });
  return z.object({
    period: z.object({ start: iso, end: iso, timezone: z.string() }),
    calls: count,
    connected: count,
    connectRate: z.number().min(0).max(1).nullable(),
    previous: period.describe("The period before, for comparison"),
    topIntents: z.array(z.object({ intentCode: z.string().nullable(), intent: z.string().nullable(), count })).max(10),
    byTask: z
      .array(
        z.object({
          taskId: z.number().int().nullable(),
          calls: count,
          connected: count,
          averageTalkSeconds: count.nullable().optional().describe("Seconds talked per connected call"),
          costs: z
            .array(z.object({ currency: z.string().max(10), total: money, perConnectedCall: money.nullable() }))
            .max(5)
            .optional()
            .describe("Line plus AI-agent cost, per quote currency (from the task cost rollups)"),
        }),
      )
      .max(10),
    deliveries: z.object({ delivered: count, failed: count, retrying: count }),
    storage: z.object({ bytes: count, limitBytes: count, percent: z.number() }).nullable(),
  });
}

/** Event types other than `call.reported`: what callrelay says about the operation itself. */
export const operationEventTypes = Object.keys(eventData) as (keyof typeof eventData)[];

/** Every event type a destination can subscribe to. */
export const eventTypes = ["call.reported", ...operationEventTypes] as const;

/** One event type, e.g. `records.rejected`. */
export type EventType = (typeof eventTypes)[number];

/** An event type other than `call.reported`. */
export type OperationEventType = keyof typeof eventData;

/** The `data` of an event of type `T`. */
export type EventData<T extends OperationEventType = OperationEventType> = z.infer<(typeof eventData)[T]>;

/** An event about the operation, with its data. */
export type OperationEvent = {
  [T in OperationEventType]: { type: T; id: string; createdAt: number; data: EventData<T> };
}[OperationEventType];

/** Whether `type` is an operation event type. */
export function isOperationEventType(type: string): type is OperationEventType {
  return Object.hasOwn(eventData, type);
}

/** A destination's `events` as the admin API takes it: distinct known types, at least one. */
export const eventsInput = z
  .array(z.enum(eventTypes, { error: `must be one of ${eventTypes.join(", ")}` }))
  .min(1, "must name at least one event type")
  .refine((types) => new Set(types).size === types.length, "must not name a type twice");

/** What a destination receives when `events` is not given. */
export const defaultEvents: EventType[] = ["call.reported"];
