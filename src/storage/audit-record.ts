import { and, count, eq, gte, sql } from "drizzle-orm";
import { getDb } from "./db/client";
import { auditLog } from "./db/schema";

/** The actor name of the admin token (people signed in through Access are named by their email). */
export const ADMIN_TOKEN_ACTOR = "admin token";

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome?: "ok" | "failed";
  ip?: string | null;
}

/** Appends one entry to the audit log. */
export async function recordAudit(db: D1Database, entry: AuditEntry, now = Date.now()): Promise<void> {
  await getDb(db)
    .insert(auditLog)
    .values({
      at: now,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome ?? "ok",
      ip: entry.ip ?? null,
    });
}

/** Failed sign-ins from `ip` since `since` (on the action/time index). */
export async function failedSignIns(db: D1Database, ip: string, since: number): Promise<number> {
  const row = await getDb(db)
    .select({ n: count() })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, "session.sign_in"),
        gte(auditLog.at, since),
        sql`+${auditLog.outcome} = 'failed'`,
        eq(auditLog.ip, ip),
      ),
    )
    .get();
  return row?.n ?? 0;
}

const verbs: Record<string, string> = { POST: "create", PATCH: "update", PUT: "update", DELETE: "delete" };

/** The action an admin API write stands for: `POST /destinations/x/test` → `destinations.test` on `x`. */
export function actionOf(method: string, segments: readonly string[]): { action: string; target: string | null } {
  const [resource = "", id, verb] = segments;
  return { action: `${resource}.${verb ?? verbs[method] ?? method.toLowerCase()}`, target: id ?? null };
}
