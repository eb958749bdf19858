import type { calls } from "../db/schema";
import type { NormalizedCall } from "../ingest/fields";

type CallRow = typeof calls.$inferSelect;

/** A stored call as the API and destinations see it: the normalized record, without storage columns. */
export function toNormalizedCall(row: CallRow): NormalizedCall {
  const { id: _id, pushId: _pushId, raw: _raw, createdAt: _createdAt, updatedAt: _updatedAt, ...call } = row;
  return call;
}
