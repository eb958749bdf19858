import { asc, eq } from "drizzle-orm";
import { readArchive } from "./archive";
import { getDb } from "./db/client";
import { pushBodies } from "./db/schema";

/**
 * A push's body as received: from the R2 archive, or for a push stored before the archive existed from the
 * legacy `push_bodies` table. Null when it is no longer kept (or was never stored).
 */
export async function readPushBody(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  push: { id: string; archiveKey: string | null },
): Promise<string | null> {
  if (push.archiveKey !== null) return (await readArchive(env.ARCHIVE, push.archiveKey))?.body ?? null;
  const db = getDb(env.DB);
  const chunks = await db.select().from(pushBodies).where(eq(pushBodies.pushId, push.id)).orderBy(asc(pushBodies.seq));
  const complete = chunks.length > 0 && chunks.every((chunk, i) => chunk.seq === i);
  return complete ? chunks.map((chunk) => chunk.chunk).join("") : null;
}
