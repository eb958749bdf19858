import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { getConfig } from "../../lib/config";
import { ADMIN_TOKEN_ACTOR } from "../../storage/audit-record";
import { accessEmail } from "./access";
import type { ConsoleEnv } from "./env";

const COOKIE = "callrelay_session";
/** How long a sign-in lasts. */
export const SESSION_MS = 12 * 3600 * 1000;

/** The cookie is signed with a key derived from the admin token: rotating the token ends every session. */
const signingKey = (adminToken: string) => `callrelay-console-session:${adminToken}`;

/** Who is signed in: the Access email, or the admin token's session; null when nobody is. */
export async function currentActor(c: Context<ConsoleEnv>): Promise<string | null> {
  const config = getConfig(c.env);
  const assertion = c.req.header("cf-access-jwt-assertion");
  if (config.access && assertion) {
    const email = await accessEmail(assertion, config.access);
    if (email) return email;
  }
  if (!config.adminToken) return null;
  const value = await getSignedCookie(c, signingKey(config.adminToken), COOKIE);
  const expires = typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(expires) && expires > Date.now() ? ADMIN_TOKEN_ACTOR : null;
}

/** Starts (or renews) a 12-hour session. */
export async function startSession(c: Context<ConsoleEnv>, adminToken: string, now = Date.now()) {
  await setSignedCookie(c, COOKIE, String(now + SESSION_MS), signingKey(adminToken), {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: SESSION_MS / 1000,
  });
}

/** Ends the session. */
export function endSession(c: Context) {
  deleteCookie(c, COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
}
