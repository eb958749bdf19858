/** At most `max` failures in any `windowMs`: then every attempt is refused until the oldest leaves the window. */
export interface FailureRule {
  max: number;
  windowMs: number;
}

/** Failed sign-ins per address: 10 in 15 minutes. */
export const SIGN_IN_RULE: FailureRule = { max: 10, windowMs: 15 * 60 * 1000 };
/** Wrong admin tokens on `/api/v1` per address: 30 in 15 minutes. */
export const BEARER_RULE: FailureRule = { max: 30, windowMs: 15 * 60 * 1000 };

/** An attempt's outcome: the secret was right, wrong (and counted), or not even compared (locked out). */
export type Outcome = "ok" | "wrong" | "locked";

/**
 * One attempt against a log of failure times (ascending): locked while `max` failures sit in the window (the secret
 * is not looked at, so a right guess tells nothing either); otherwise right, or wrong and logged. Answers the log to
 * keep (only the window's failures), and for a lockout how long until the next attempt may be made.
 */
export function decideAttempt(
  failures: readonly number[],
  rule: FailureRule,
  now: number,
  isRight: () => boolean,
): { outcome: Outcome; failures: number[]; retryAfterMs: number } {
  const recent = failures.filter((at) => at > now - rule.windowMs).slice(-rule.max);
  if (recent.length >= rule.max) {
    const oldest = recent[recent.length - rule.max] ?? now;
    return { outcome: "locked", failures: recent, retryAfterMs: oldest + rule.windowMs - now };
  }
  if (isRight()) return { outcome: "ok", failures: recent, retryAfterMs: 0 };
  return { outcome: "wrong", failures: [...recent, now], retryAfterMs: 0 };
}
