import type { NormalizedCall } from "../ingest/fields";
import { callStreamFields, callsStreamSchema, type HistoryRow, type StreamField } from "./schema";

/** A row the stream's schema would refuse (Basin drops such a row without telling the sender). */
export interface InvalidRow {
  voiceId: string;
  error: string;
}

const callFields = callStreamFields.map(([key, field]) => [key as keyof NormalizedCall, field.name] as const);

/** The call's own time, as D1's `call_at`: `callTime`, else `submitTime`, else `receivedAt`. */
const callAt = (call: NormalizedCall): number => call.callTime ?? call.submitTime ?? call.receivedAt;

/** The stream row of one stored version of a call: every normalized field under its D1 column name, plus the push. */
export function historyRow(call: NormalizedCall, pushId: string): HistoryRow {
  const row: HistoryRow = {};
  for (const [key, name] of callFields) row[name] = call[key] as HistoryRow[string];
  row.push_id = pushId;
  row.call_at = callAt(call);
  row.version = call.receivedAt;
  return row;
}

const MAX_EPOCH_MS = 253_402_300_799_999;

const checks: Record<StreamField["type"], (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  int64: (v) => Number.isSafeInteger(v),
  bool: (v) => typeof v === "boolean",
  timestamp: (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_EPOCH_MS,
};

const fieldChecks = callsStreamSchema.fields.map((f) => [f.name, f.required, checks[f.type], f.type] as const);
const known = new Set(callsStreamSchema.fields.map((f) => f.name));

/** Why a row does not match the stream's schema (every field named), or null when it does. */
export function rowProblem(row: HistoryRow): string | null {
  let problem = "";
  for (const [name, required, check, type] of fieldChecks) {
    const v = row[name];
    if (v === null || v === undefined) {
      if (required) problem += `${problem ? "; " : ""}${name}: required`;
    } else if (!check(v)) {
      problem += `${problem ? "; " : ""}${name}: expected ${type}, got ${JSON.stringify(v)?.slice(0, 40)}`;
    }
  }
  for (const name in row) if (!known.has(name)) problem += `${problem ? "; " : ""}${name}: not in the schema`;
  return problem === "" ? null : problem;
}

/** The rows of a push's stored calls, each checked against the schema: those that match, and those that do not. */
export function pushRows(
  calls: readonly NormalizedCall[],
  pushId: string,
): { rows: HistoryRow[]; invalid: InvalidRow[] } {
  const rows: HistoryRow[] = [];
  const invalid: InvalidRow[] = [];
  for (const call of calls) {
    const row = historyRow(call, pushId);
    const error = rowProblem(row);
    if (error === null) rows.push(row);
    else invalid.push({ voiceId: call.voiceId, error });
  }
  return { rows, invalid };
}
