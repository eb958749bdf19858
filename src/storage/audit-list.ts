import { desc, lt } from "drizzle-orm";
import type { Db } from "./db/client";
import { auditLog } from "./db/schema";

/** A page of the audit log, newest first, below the id `before`; `next` continues it, null at the end. */
export async function listAudit(db: Db, opts: { limit: number; before?: number }) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(opts.before === undefined ? undefined : lt(auditLog.id, opts.before))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return { entries: page, next: rows.length > opts.limit ? (page.at(-1)?.id ?? null) : null };
}
