import { getTableColumns } from "drizzle-orm";
import { calls } from "../../storage/db/schema";
import { upstreamFields } from "../calls/fields";
import { normalizedCallColumns } from "../calls/normalized";

/** A field of a Basin stream's schema (`wrangler basin pipelines streams create --schema-file`). */
export interface StreamField {
  name: string;
  type: "string" | "int64" | "bool" | "timestamp";
  required: boolean;
  /** For `timestamp`: values are epoch milliseconds. */
  unit?: "millisecond";
}

/** A stream's schema file: `{"fields": [...]}`. */
export interface StreamSchema {
  fields: StreamField[];
}

const { pushId: pushIdColumn } = getTableColumns(calls);
const timeFields = new Set<string>(
  Object.entries(upstreamFields)
    .filter(([, kind]) => kind === "time")
    .map(([name]) => name),
);
timeFields.add("receivedAt");

function fieldOf(key: string, column: { name: string; dataType: string; notNull: boolean }): StreamField {
  if (timeFields.has(key))
    return { name: column.name, type: "timestamp", unit: "millisecond", required: column.notNull };
  const type = column.dataType === "boolean" ? "bool" : column.dataType === "number" ? "int64" : "string";
  return { name: column.name, type, required: column.notNull };
}

/**
 * The fields of a {@link NormalizedCall} in the stream, in `calls`' column order: `[field of NormalizedCall, stream
 * field]`. Derived from the D1 table's columns (names, types, NOT NULL) and the upstream field kinds (times).
 */
export const callStreamFields: readonly (readonly [string, StreamField])[] = Object.entries(normalizedCallColumns).map(
  ([key, column]) => [key, fieldOf(key, column)] as const,
);

/** The fields a row has beyond the call's own: the push that wrote this version, the call's time, and its version. */
export const extraStreamFields: readonly StreamField[] = [
  { name: pushIdColumn.name, type: "string", required: true },
  // The call's own time (as D1's `call_at`): `call_time`, else `submit_time`, else `received_at`. Never null.
  { name: "call_at", type: "timestamp", unit: "millisecond", required: true },
  // Which version of the call this row is: the epoch ms its push arrived (= `received_at`). A call's latest version is
  // its row with the greatest (`version`, `push_id`); a row sent twice is the same (`source_id`, `voice_id`, `version`, `push_id`).
  { name: "version", type: "int64", required: true },
];

/** The calls stream's schema: what `basin/calls.schema.json` holds (a test fails when the file differs). */
export const callsStreamSchema: StreamSchema = {
  fields: [...callStreamFields.map(([, field]) => field), ...extraStreamFields],
};
