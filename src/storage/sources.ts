import { eq } from "drizzle-orm";
import type { Config } from "../lib/config";
import { secretsEqual, sha256Hex } from "../lib/crypto";
import type { Db } from "./db/client";
import { sources } from "./db/schema";

/** The built-in source whose push token is the `PUSH_TOKEN` secret. */
export const DEFAULT_SOURCE = { id: "src_default", name: "default" } as const;

/** How long a token found in D1 is trusted without reading D1 again (per isolate). */
export const SOURCE_CACHE_MS = 5_000;
/** How long a cached token is still trusted while D1 cannot be read, so pushes can be archived and queued. */
const SOURCE_STALE_MS = 10 * 60_000;
const cachedSources = new Map<string, { id: string; at: number }>();

/** Drops a source's cached tokens in this isolate (other isolates drop them within {@link SOURCE_CACHE_MS}). */
export function forgetSource(id: string): void {
  for (const [hash, cached] of cachedSources) if (cached.id === id) cachedSources.delete(hash);
}

/**
 * The source a push token belongs to, or null. Tokens are stored as SHA-256 hashes only. A token found in D1
 * is cached in the isolate for {@link SOURCE_CACHE_MS} (and used for longer while D1 fails); an unknown token
 * is looked up every time, so a source created a moment ago is found.
 */
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
  const cached = cachedSources.get(tokenHash);
  const now = Date.now();
  if (cached && now - cached.at < SOURCE_CACHE_MS) return { id: cached.id, isDefault: false };
  let row: { id: string } | undefined;
  try {
    row = await db.select({ id: sources.id }).from(sources).where(eq(sources.tokenHash, tokenHash)).get();
  } catch (err) {
    if (cached && now - cached.at < SOURCE_STALE_MS) return { id: cached.id, isDefault: false };
    throw err;
  }
  if (row) cachedSources.set(tokenHash, { id: row.id, at: now });
  else cachedSources.delete(tokenHash);
  return row ? { id: row.id, isDefault: false } : null;
}
