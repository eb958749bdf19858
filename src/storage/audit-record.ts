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

const verbs: Record<string, string> = { POST: "create", PATCH: "update", PUT: "update", DELETE: "delete" };

/** The action an admin API write stands for: `POST /destinations/x/test` → `destinations.test` on `x`. */
export function actionOf(method: string, segments: readonly string[]): { action: string; target: string | null } {
  const [resource = "", id, verb] = segments;
  return { action: `${resource}.${verb ?? verbs[method] ?? method.toLowerCase()}`, target: id ?? null };
}
