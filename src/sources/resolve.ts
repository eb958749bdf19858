import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { sources } from "../db/schema";
import type { Config } from "../lib/config";
import { secretsEqual, sha256Hex } from "../lib/crypto";

/** The built-in source whose push token is the `PUSH_TOKEN` secret. */
export const DEFAULT_SOURCE = { id: "src_default", name: "default" } as const;

/** The source a push token belongs to, or null. Tokens are stored as SHA-256 hashes only. */
export async function resolveSource(
  db: Db,
  config: Config,
  token: string,
): Promise<{ id: string; isDefault: boolean } | null> {
  if (token === "") return null;
  if (config.pushToken !== undefined && (await secretsEqual(token, config.pushToken))) {
    return { id: DEFAULT_SOURCE.id, isDefault: true };
  }
  const tokenHash = await sha256Hex(token);
  const row = await db.select({ id: sources.id }).from(sources).where(eq(sources.tokenHash, tokenHash)).get();
  return row ? { id: row.id, isDefault: false } : null;
}
