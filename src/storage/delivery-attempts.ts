import { desc, eq } from "drizzle-orm";
import type { Db } from "./db/client";
import { deliveryAttempts } from "./db/schema";

/** One attempt of a delivery as stored: time, outcome, status code, duration, error, wait, and its details' key. */
export type StoredAttempt = typeof deliveryAttempts.$inferSelect;

/** A delivery's attempts, oldest first: at most the latest `limit`. The one read of them the console and API use. */
export async function listAttempts(db: Db, deliveryId: string, limit: number): Promise<StoredAttempt[]> {
  const rows = await db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(desc(deliveryAttempts.id))
    .limit(limit);
  return rows.reverse();
}
