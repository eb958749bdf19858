import type { deliveries, deliveryAttempts } from "../../storage/db/schema";
import type { TimelineEntry } from "./delivery-timeline";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery as the admin API shows it, times in ISO 8601. */
export function deliveryView(row: typeof deliveries.$inferSelect, destinationName: string | null) {
  return {
    id: row.id,
    destinationId: row.destinationId,
    destinationName,
    sourceId: row.sourceId,
    voiceId: row.voiceId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: iso(row.nextAttemptAt),
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: iso(row.deliveredAt),
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** One logged attempt of a delivery. */
export function attemptView(row: typeof deliveryAttempts.$inferSelect) {
  return {
    attemptedAt: new Date(row.attemptedAt).toISOString(),
    statusCode: row.statusCode,
    durationMs: row.durationMs,
    outcome: row.outcome,
    error: row.error,
    responseBody: row.responseBody,
    waitReason: row.waitReason,
    nextAttemptAt: iso(row.nextAttemptAt),
  };
}

/** A delivery's timeline as the admin API shows it, times in ISO 8601. */
export function timelineView(entries: readonly TimelineEntry[]) {
  return entries.map((e) => {
    switch (e.kind) {
      case "wait":
        return { ...e, at: new Date(e.at).toISOString(), until: iso(e.until) };
      case "next":
        return { ...e, at: new Date(e.at).toISOString(), breakerOpenUntil: iso(e.breakerOpenUntil) };
      default:
        return { ...e, at: new Date(e.at).toISOString() };
    }
  });
}
