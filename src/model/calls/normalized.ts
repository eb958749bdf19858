import { getTableColumns } from "drizzle-orm";
import { calls } from "../../storage/db/schema";
import type { NormalizedCall } from "./fields";

type CallRow = typeof calls.$inferSelect;

const {
  id: _id,
  pushId: _pushId,
  extra: _extra,
  createdAt: _createdAt,
  updatedAt: _updatedAt,
  callAt: _callAt,
  calleeKey: _calleeKey,
  ...normalizedColumns
} = getTableColumns(calls);

/** The columns of `calls` that make up a {@link NormalizedCall}: a select of these skips the storage columns. */
export const normalizedCallColumns = normalizedColumns;

const normalizedKeys = Object.keys(normalizedColumns) as (keyof NormalizedCall)[];

/** A stored call as the API and destinations see it: the normalized record, without storage columns. */
export function toNormalizedCall(row: CallRow): NormalizedCall {
  return Object.fromEntries(normalizedKeys.map((key) => [key, row[key]])) as NormalizedCall;
}
