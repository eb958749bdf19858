import { eq, gt, lt } from "drizzle-orm";
import { runBatch } from "./batch";
import { getDb } from "./client";
import { consoleSessions } from "./schema";

/** Stores a session by its secret's SHA-256 (`id`), sweeping expired ones in the same batch. */
export async function storeSession(db: D1Database, session: { id: string; actor: string; now: number; ttlMs: number }) {
  const d = getDb(db);
  await runBatch(db, [
    d.delete(consoleSessions).where(lt(consoleSessions.expiresAt, session.now)),
    d.insert(consoleSessions).values({
      id: session.id,
      actor: session.actor,
      createdAt: session.now,
      expiresAt: session.now + session.ttlMs,
    }),
  ]);
}

/** Who the session `id` belongs to, while it is stored and not expired; null otherwise. */
export async function sessionActor(db: D1Database, id: string, now: number): Promise<string | null> {
  const row = await getDb(db)
    .select({ actor: consoleSessions.actor, expiresAt: consoleSessions.expiresAt })
    .from(consoleSessions)
    .where(eq(consoleSessions.id, id))
    .get();
  return row && row.expiresAt > now ? row.actor : null;
}

/** Ends one session. */
export async function deleteSession(db: D1Database, id: string) {
  await getDb(db).delete(consoleSessions).where(eq(consoleSessions.id, id));
}

/** Ends every session; answers how many were live. */
export async function deleteAllSessions(db: D1Database, now: number): Promise<number> {
  const d = getDb(db);
  const [live] = await runBatch(db, [
    d.delete(consoleSessions).where(gt(consoleSessions.expiresAt, now)),
    d.delete(consoleSessions),
  ]);
  return live?.meta.changes ?? 0;
}
