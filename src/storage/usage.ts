import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Db } from "./db/client";
import { storageUsage } from "./db/schema";

/** Fewest ms between two writes of the size from one isolate: the figure is a gauge, not a log. */
const RECORD_EVERY_MS = 10_000;
let lastRecorded = 0;

/** The largest `meta.size_after` D1 reported for a batch, or null when it reported none. */
export function sizeAfter(results: readonly D1Result[]): number | null {
  const sizes = results.map((r) => r.meta?.size_after).filter((n): n is number => typeof n === "number" && n > 0);
  return sizes.length === 0 ? null : Math.max(...sizes);
}

/**
 * Keeps the database size D1 reported after a write batch (its `meta.size_after`), at most once per
 * {@link RECORD_EVERY_MS} per isolate: one small write, after the batch has committed (pushes call it in
 * `waitUntil`). A failure is logged, never thrown: the figure is a gauge.
 */
export async function recordStorageSize(d1: D1Database, results: readonly D1Result[], now = Date.now()) {
  const bytes = sizeAfter(results);
  if (bytes === null || now - lastRecorded < RECORD_EVERY_MS) return;
  lastRecorded = now;
  await d1
    .prepare(
      "INSERT INTO storage_usage (id, bytes, measured_at) VALUES (1, ?1, ?2) ON CONFLICT DO UPDATE SET bytes = ?1, measured_at = ?2",
    )
    .bind(bytes, now)
    .run()
    .catch((err) => console.error(JSON.stringify({ msg: "could not record the storage size", error: String(err) })));
}

/** The statement reading the recorded size, for a batch. */
export const storageRow = (db: Db) =>
  db
    .select({ bytes: storageUsage.bytes, measuredAt: storageUsage.measuredAt })
    .from(storageUsage)
    .where(sql`${storageUsage.id} = 1`);

export const storageSchema = z
  .object({
    bytes: z.number().int().nullable().openapi({ description: "Database size D1 last reported; null before any" }),
    limitBytes: z.number().int().openapi({ description: "`D1_LIMIT_BYTES` (default 10 GB, D1's maximum)" }),
    percent: z.number().nullable().openapi({ description: "bytes / limitBytes × 100, one decimal" }),
    measuredAt: z.string().nullable(),
  })
  .openapi("Storage");

/** The storage figure as `/health` and `/stats` show it. */
export function storageView(row: { bytes: number; measuredAt: number } | undefined, limitBytes: number) {
  return {
    bytes: row?.bytes ?? null,
    limitBytes,
    percent: row ? Math.round((row.bytes / limitBytes) * 1000) / 10 : null,
    measuredAt: row ? new Date(row.measuredAt).toISOString() : null,
  };
}
