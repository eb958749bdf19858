import type { z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import { getConfig } from "../../lib/config";
import { newId } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { fieldIssues, validationError } from "../../lib/validation";
import { getDestinationType } from "../../messages/destinations/registry";
import { parseTemplate } from "../../messages/template";
import type { DestinationType } from "../../messages/types";
import { pendingFields } from "../../pipeline/dispatch/plan";
import { runBatch } from "../../storage/db/batch";
import { getDb } from "../../storage/db/client";
import { inJsonArray } from "../../storage/db/json-ids";
import { deliveries, destinations, sources } from "../../storage/db/schema";
import { moveCounts } from "../../storage/delivery-rollups";
import { DEFAULT_SOURCE } from "../../storage/sources";
import { credentialsToRenew, destinationChanges, newDestination, unknownSourceIssues } from "./destination-decide";
import type { destinationInput, destinationPatch } from "./destination-input";
import { destinationView } from "./destination-view";

/** A config as its type checks it; a 400 at `config.<field>` otherwise. */
function checkConfig(env: Env, type: string, config: Record<string, unknown>) {
  const parsed = getDestinationType(type)
    .configSchema({ allowHttp: getConfig(env).allowHttpDestinations })
    .safeParse(config);
  if (!parsed.success) throw validationError(fieldIssues(parsed.error, ["config"]));
  return parsed.data;
}

/** A 422 naming the credentials a config change must give again, when it moves them to another host. */
function checkCredentials(type: DestinationType, stored: Record<string, unknown>, change: Record<string, unknown>) {
  const issues = credentialsToRenew(type.credentialHosts ?? [], stored, change);
  const first = issues[0];
  if (first) {
    const fields = issues.map((i) => i.path).join(", ");
    throw new AppError("credentials_required", `Give ${fields} again: ${first.message}`, issues);
  }
}

/** The template if its fields exist and the type can render it; a 400 at `template` otherwise. */
function checkTemplate<T extends string | null | undefined>(type: string, template: T): T {
  if (typeof template !== "string") return template;
  const parsed = parseTemplate(template);
  const problem = parsed.ok ? getDestinationType(type).checkTemplate(parsed.parts) : undefined;
  const messages = parsed.ok ? (problem === undefined ? [] : [problem]) : parsed.issues.map((i) => i.message);
  if (messages.length > 0) throw validationError(messages.map((message) => ({ path: "template", message })));
  return template;
}

async function checkSources(env: Env, ids: readonly string[] | undefined) {
  if (!ids || ids.length === 0) return;
  const found = await getDb(env.DB).select({ id: sources.id }).from(sources).where(inJsonArray(sources.id, ids));
  const known = new Set(found.map((s) => s.id));
  if (getConfig(env).pushToken !== undefined) known.add(DEFAULT_SOURCE.id);
  const issues = unknownSourceIssues(ids, known);
  if (issues.length > 0) throw validationError(issues);
}

/** The stored destination; a 404 when there is none. */
export async function findDestination(env: Env, id: string) {
  const row = await getDb(env.DB).select().from(destinations).where(eq(destinations.id, id)).get();
  if (!row) throw new AppError("not_found", `No destination ${id}`);
  return row;
}

/** Every destination, oldest first (at most 500). */
export function listDestinations(env: Env) {
  return getDb(env.DB).select().from(destinations).orderBy(destinations.createdAt).limit(500);
}

/** Moves a re-enabled destination's paused deliveries back to the queue. */
async function resumePaused(env: Env, destinationId: string, now: number) {
  const db = getDb(env.DB);
  const paused = and(eq(deliveries.destinationId, destinationId), eq(deliveries.status, "paused"));
  const [, resumed] = await runBatch(env.DB, [
    moveCounts(sql`SELECT *, 'pending' AS new_status FROM ${deliveries} WHERE ${paused}`),
    db
      .update(deliveries)
      .set({ ...pendingFields(now), updatedAt: now })
      .where(paused)
      .returning({ id: deliveries.id }),
  ]);
  return ((resumed?.results ?? []) as { id: string }[]).map((r) => r.id);
}

/** Creates a destination from checked input; `secret` is a webhook's signing secret, to show once. */
export async function createDestination(env: Env, input: z.output<typeof destinationInput>, now: number) {
  const config = checkConfig(env, input.type, input.config);
  const template = checkTemplate(input.type, input.template ?? null);
  await checkSources(env, input.sourceIds);
  const values = newDestination(input, { config, template }, getDestinationType(input.type), newId("dst"), now);
  const [row] = await getDb(env.DB).insert(destinations).values(values).returning();
  const view = destinationView(row as NonNullable<typeof row>);
  const secret = input.type === "webhook" && typeof config.secret === "string" ? config.secret : undefined;
  return { view, secret };
}

/** Applies a checked patch; re-enabling resumes the paused deliveries, whose ids the caller queues. */
export async function updateDestination(env: Env, id: string, patch: z.output<typeof destinationPatch>, now: number) {
  const current = await findDestination(env, id);
  const type = getDestinationType(current.type);
  if (patch.config) checkCredentials(type, current.config, patch.config);
  const config = patch.config ? checkConfig(env, current.type, { ...current.config, ...patch.config }) : undefined;
  const template = checkTemplate(current.type, patch.template);
  await checkSources(env, patch.sourceIds);
  const { set, enabling } = destinationChanges(current, patch, { config, template }, type, now);
  const [row] = await getDb(env.DB).update(destinations).set(set).where(eq(destinations.id, id)).returning();
  return { row: row as NonNullable<typeof row>, resumedIds: enabling ? await resumePaused(env, id, now) : [] };
}

/** Deletes a destination; its unsent deliveries are marked failed. */
export async function deleteDestination(env: Env, id: string, now: number) {
  await findDestination(env, id);
  const db = getDb(env.DB);
  const unsent = and(eq(deliveries.destinationId, id), inArray(deliveries.status, ["pending", "retrying", "paused"]));
  await runBatch(env.DB, [
    db.delete(destinations).where(eq(destinations.id, id)),
    moveCounts(sql`SELECT *, 'failed' AS new_status FROM ${deliveries} WHERE ${unsent}`),
    db
      .update(deliveries)
      .set({
        status: "failed",
        lastError: "destination was deleted",
        nextAttemptAt: null,
        leaseUntil: null,
        updatedAt: now,
      })
      .where(unsent),
  ]);
}
