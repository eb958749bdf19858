import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { getConfig } from "../../lib/config";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { ADMIN_TOKEN_ACTOR } from "../../storage/audit-record";
import { deleteSession, sessionActor, storeSession } from "../../storage/db/console-sessions";
import { accessEmail } from "./access";
import type { ConsoleEnv } from "./env";

const COOKIE = "callrelay_session";
/** How long a sign-in lasts. */
export const SESSION_MS = 12 * 3600 * 1000;

/** The cookie is signed with a key derived from the admin token: rotating the token ends every session. */
const signingKey = (adminToken: string) => `callrelay-console-session:${adminToken}`;

/** The session secret in a validly signed cookie, or null. */
async function cookieSecret(c: Context<ConsoleEnv>): Promise<string | null> {
  const { adminToken } = getConfig(c.env);
  if (!adminToken) return null;
  const value = await getSignedCookie(c, signingKey(adminToken), COOKIE);
  return typeof value === "string" && value !== "" ? value : null;
}

/** Who is signed in: the Access email, or the admin token's session while it is stored; null when nobody is. */
export async function currentActor(c: Context<ConsoleEnv>): Promise<string | null> {
  const config = getConfig(c.env);
  const assertion = c.req.header("cf-access-jwt-assertion");
  if (config.access && assertion) {
    const email = await accessEmail(assertion, config.access);
    if (email) return email;
  }
  const secret = await cookieSecret(c);
  // Looked up by the secret's SHA-256: the table never holds a usable cookie, and the lookup's timing says
  // nothing about the secret.
  return secret ? sessionActor(c.env.DB, await sha256Hex(secret), Date.now()) : null;
}

/** Starts a 12-hour session: a stored session, and a signed cookie with its random secret. */
export async function startSession(c: Context<ConsoleEnv>, adminToken: string, now = Date.now()) {
  const secret = randomToken(32);
  const id = await sha256Hex(secret);
  await storeSession(c.env.DB, { id, actor: ADMIN_TOKEN_ACTOR, now, ttlMs: SESSION_MS });
  await setSignedCookie(c, COOKIE, secret, signingKey(adminToken), {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: SESSION_MS / 1000,
  });
}

/** Ends this browser's session: it is deleted (a copy of the cookie stops working) and the cookie cleared. */
export async function endSession(c: Context<ConsoleEnv>) {
  const secret = await cookieSecret(c);
  if (secret) await deleteSession(c.env.DB, await sha256Hex(secret));
  deleteCookie(c, COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
}
