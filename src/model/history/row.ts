import type { HistoryRow } from "../../storage/calls-stream";
import type { NormalizedCall } from "../calls/fields";
import { callStreamFields, extraStreamFields, type StreamField } from "./schema";

/** A row the stream's schema would refuse (Basin drops such a row without telling the sender). */
export interface InvalidRow {
  voiceId: string;
  error: string;
}

const MAX_EPOCH_MS = 253_402_300_799_999;

/** Whether a non-null value has the field's type. */
function fits(type: StreamField["type"], v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "int64":
      return Number.isSafeInteger(v);
    case "timestamp":
      return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_EPOCH_MS;
  }
}

const problemOf = (field: StreamField, v: unknown): string | null => {
  if (v === null || v === undefined) return field.required ? `${field.name}: required` : null;
  return fits(field.type, v) ? null : `${field.name}: expected ${field.type}, got ${JSON.stringify(v)?.slice(0, 40)}`;
};

const keys = callStreamFields.map(([key]) => key as keyof NormalizedCall);
const fields = callStreamFields.map(([, field]) => field);
const names = fields.map((f) => f.name);
const TYPE_CODES = { string: 0, bool: 1, int64: 2, timestamp: 3 } as const;
const codes = fields.map((f) => TYPE_CODES[f.type]);
const [pushIdField, callAtField, versionField] = extraStreamFields as [StreamField, StreamField, StreamField];

/**
 * A row with every field of the schema, each null. Every row starts as a copy of it, so all rows share one shape and
 * V8 keeps them in fast mode: copying it costs less than adding 40-odd keys one by one (which also turns an object
 * into a dictionary), and V8's serializer, which `send()`'s RPC runs on every row, walks a fast-mode object faster
 * (docs/benchmarks.md, bench:history). Built through JSON.parse, which makes a fast-mode object. A null field is null
 * in the table either way.
 */
const EMPTY_ROW: HistoryRow = JSON.parse(
  JSON.stringify(Object.fromEntries([...names, ...extraStreamFields.map((f) => f.name)].map((name) => [name, null]))),
);

/** The call's own time, as D1's `call_at`: `callTime`, else `submitTime`, else `receivedAt`. */
const callAt = (call: NormalizedCall): number => call.callTime ?? call.submitTime ?? call.receivedAt;

/**
 * The stream row of one stored version of a call, checked against the stream's schema in the same pass: every
 * normalized field under its D1 column name (null where the call has none), plus the push that wrote this version,
 * the call's own time and its version. The row, or why it does not match (each field named). Runs for every stored
 * call: one pass, no allocation but the row.
 */
export function historyRow(call: NormalizedCall, pushId: string): { row: HistoryRow; problem: string | null } {
  const row: HistoryRow = { ...EMPTY_ROW };
  let problem: string | null = null;
  for (let i = 0; i < keys.length; i++) {
    const v = call[keys[i] as keyof NormalizedCall];
    if (v === null || v === undefined) {
      if ((fields[i] as StreamField).required) problem = join(problem, problemOf(fields[i] as StreamField, v));
      continue;
    }
    const code = codes[i];
    const ok =
      code === 0
        ? typeof v === "string"
        : code === 1
          ? typeof v === "boolean"
          : Number.isSafeInteger(v) && (code === 2 || ((v as number) >= 0 && (v as number) <= MAX_EPOCH_MS));
    if (ok) row[names[i] as string] = v as string | number | boolean;
    else problem = join(problem, problemOf(fields[i] as StreamField, v));
  }
  row[pushIdField.name] = pushId;
  const at = callAt(call);
  row[callAtField.name] = at;
  row[versionField.name] = call.receivedAt;
  if (typeof pushId !== "string") problem = join(problem, problemOf(pushIdField, pushId));
  if (!fits(callAtField.type, at)) problem = join(problem, problemOf(callAtField, at));
  if (!fits(versionField.type, call.receivedAt)) problem = join(problem, problemOf(versionField, call.receivedAt));
  return { row, problem };
}

const join = (problem: string | null, more: string | null) =>
  more === null ? problem : problem === null ? more : `${problem}; ${more}`;

/** The rows of a push's stored calls, each checked against the schema: those that match, and those that do not. */
export function pushRows(
  calls: readonly NormalizedCall[],
  pushId: string,
): { rows: HistoryRow[]; invalid: InvalidRow[] } {
  const rows: HistoryRow[] = [];
  const invalid: InvalidRow[] = [];
  for (const call of calls) {
    const { row, problem } = historyRow(call, pushId);
    if (problem === null) rows.push(row);
    else invalid.push({ voiceId: call.voiceId, error: problem });
  }
  return { rows, invalid };
}
