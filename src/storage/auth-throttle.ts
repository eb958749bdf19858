import { DurableObject } from "cloudflare:workers";
import { decideAttempt, type FailureRule, type Outcome } from "../lib/failure-throttle";

const LOG_KEY = "failures";

/**
 * One per address and kind of secret (`bearer:<ip>`, `sign-in:<ip>`): the failure log, and the comparison itself.
 * A Durable Object runs one call at a time, so checking the limit, comparing and counting are one step: parallel
 * attempts cannot all pass the check before any is counted. (Workers' rate-limiting binding was considered: it
 * counts every call, not failures, per location, over 10 or 60 seconds only.)
 */
export class AuthThrottle extends DurableObject<Env> {
  private failures: number[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.failures = (await ctx.storage.get<number[]>(LOG_KEY)) ?? [];
    });
  }

  /** Compares the SHA-256 digests of the given and the expected secret in constant time, unless locked out. */
  async attempt(
    given: ArrayBuffer,
    expected: ArrayBuffer,
    rule: FailureRule,
  ): Promise<{ outcome: Outcome; failures: number; retryAfterMs: number }> {
    const before = this.failures;
    const result = decideAttempt(before, rule, Date.now(), () => crypto.subtle.timingSafeEqual(given, expected));
    this.failures = result.failures;
    if (result.failures.length !== before.length || result.failures.at(-1) !== before.at(-1)) {
      await this.ctx.storage.put(LOG_KEY, result.failures);
    }
    return { outcome: result.outcome, failures: result.failures.length, retryAfterMs: result.retryAfterMs };
  }
}

const encoder = new TextEncoder();
const digest = (value: string) => crypto.subtle.digest("SHA-256", encoder.encode(value));

/**
 * One attempt at a secret from `ip`, through its throttle (`kind` names the secret): `ok`, `wrong` (counted) or
 * `locked` (not compared), with the failures now in the window.
 */
export async function throttledCompare(
  namespace: DurableObjectNamespace<AuthThrottle>,
  kind: string,
  ip: string,
  given: string,
  expected: string,
  rule: FailureRule,
) {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return namespace.get(namespace.idFromName(`${kind}:${ip}`)).attempt(a, b, rule);
}
