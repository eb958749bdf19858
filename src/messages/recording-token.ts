import { hmacSha256Base64 } from "./signing";

const encoder = new TextEncoder();

const base64url = (text: string) => text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The call a recording link names, and until when (epoch seconds) it works. */
export interface RecordingClaim {
  sourceId: string;
  voiceId: string;
  expiresAt: number;
}

/** The key links are signed with: derived from the platform secret, so no other secret is needed. */
const signingKey = (platformSecret: string) => `callrelay recording links\n${platformSecret}`;

/** Characters of the signature kept: 22 of base64url are 128 bits, which keeps links short for chat messages. */
const SIGNATURE_CHARS = 22;

async function signature(payload: string, platformSecret: string) {
  return base64url(await hmacSha256Base64(signingKey(platformSecret), payload)).slice(0, SIGNATURE_CHARS);
}

/** A token `<payload>.<HMAC-SHA256, first 128 bits>` naming a call until `expiresAt`. */
export async function signRecordingToken(claim: RecordingClaim, platformSecret: string): Promise<string> {
  const json = JSON.stringify([claim.sourceId, claim.voiceId, claim.expiresAt]);
  const payload = base64url(btoa(String.fromCharCode(...encoder.encode(json))));
  return `${payload}.${await signature(payload, platformSecret)}`;
}

/** What reading a token found. */
export type TokenCheck = { ok: true; claim: RecordingClaim } | { ok: false; problem: "invalid" | "expired" };

/** Checks a token's signature (in constant time) and expiry at `now` (epoch ms). */
export async function readRecordingToken(token: string, platformSecret: string, now: number): Promise<TokenCheck> {
  const [payload, given, ...rest] = token.split(".");
  if (!payload || !given || rest.length > 0) return { ok: false, problem: "invalid" };
  const expected = encoder.encode(await signature(payload, platformSecret));
  const actual = encoder.encode(given);
  if (expected.length !== actual.length || !crypto.subtle.timingSafeEqual(expected, actual)) {
    return { ok: false, problem: "invalid" };
  }
  let claim: unknown;
  try {
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    claim = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return { ok: false, problem: "invalid" };
  }
  if (!Array.isArray(claim) || claim.length !== 3) return { ok: false, problem: "invalid" };
  const [sourceId, voiceId, expiresAt] = claim as unknown[];
  if (typeof sourceId !== "string" || typeof voiceId !== "string" || typeof expiresAt !== "number") {
    return { ok: false, problem: "invalid" };
  }
  if (now >= expiresAt * 1000) return { ok: false, problem: "expired" };
  return { ok: true, claim: { sourceId, voiceId, expiresAt } };
}
