import { upstreamFields } from "../../../src/model/calls/fields.ts";
import type { calls } from "../../../src/storage/db/schema.ts";

type CallInsert = typeof calls.$inferInsert;
const fieldNames = Object.keys(upstreamFields) as (keyof typeof upstreamFields)[];

/**
 * A `calls` row from a record with no reading at all: values as they come (absent is null), `connected`
 * from `callStatusNew` alone, and the whole record as JSON in the JSON column (`extra`).
 */
export function toCallRow(record: Record<string, unknown>, pushId: string, now: number): CallInsert {
  const row: Record<string, unknown> = { sourceId: "src_default", voiceId: String(record.voiceId) };
  for (const name of fieldNames) row[name] = record[name] ?? null;
  row.connected = record.callStatusNew === 1;
  row.callStatusLabel = null;
  row.callDescriptionLabel = null;
  row.receivedAt = now;
  row.pushId = pushId;
  row.extra = JSON.stringify(record);
  row.createdAt = now;
  row.updatedAt = now;
  return row as CallInsert;
}
