import { and, eq, sql } from "drizzle-orm";
import { AppError } from "../../lib/errors";
import type { Db } from "../../storage/db/client";
import { destinations } from "../../storage/db/schema";
import { generateWebhookSecret } from "./webhook";

type DestinationRow = typeof destinations.$inferSelect;

/** How long a webhook's previous signing secret stays valid after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

/** The previous signing secret while its overlap lasts, as `extraSecrets` for rendering. */
export function overlapSecrets(
  destination: Pick<DestinationRow, "previousSecret" | "previousSecretExpiresAt">,
  now: number,
): string[] {
  const { previousSecret, previousSecretExpiresAt } = destination;
  return previousSecret && (previousSecretExpiresAt ?? 0) > now ? [previousSecret] : [];
}

/**
 * Gives a webhook destination a new signing secret. The current one becomes the previous secret, still
 * signed with for {@link SECRET_OVERLAP_MS}; an older previous secret is dropped.
 */
export async function rotateSecret(db: Db, destination: DestinationRow, now: number) {
  if (destination.type !== "webhook") {
    throw new AppError(
      "bad_request",
      `Only a webhook destination has a signing secret; ${destination.id} is ${destination.type}`,
    );
  }
  const current = String(destination.config.secret);
  const secret = generateWebhookSecret();
  const previousSecretExpiresAt = now + SECRET_OVERLAP_MS;
  const rotated = await db
    .update(destinations)
    .set({
      config: { ...destination.config, secret },
      previousSecret: current,
      previousSecretExpiresAt,
      updatedAt: now,
    })
    .where(and(eq(destinations.id, destination.id), sql`json_extract(${destinations.config}, '$.secret') = ${current}`))
    .returning({ id: destinations.id })
    .get();
  if (!rotated) throw new AppError("conflict", `The secret of ${destination.id} changed meanwhile; rotate again`);
  return { secret, previousSecretExpiresAt };
}
