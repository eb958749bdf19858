import { DurableObject } from "cloudflare:workers";
import type { RateRule } from "../../messages/types";

const LOG_KEY = "sent";

/** Milliseconds until a send is allowed under every rule, given the past send times (ascending). */
export function waitForSlot(sent: readonly number[], rules: readonly RateRule[], now: number): number {
  let wait = 0;
  for (const { count, windowMs } of rules) {
    const blocking = sent[sent.length - count];
    if (blocking !== undefined && blocking > now - windowMs) wait = Math.max(wait, blocking + windowMs - now);
  }
  return wait;
}

/**
 * One per destination: a sliding-window log of its sends, so a destination never gets more messages in a
 * window than its platform allows, however many consumers run at once.
 */
export class DestinationPacer extends DurableObject<Env> {
  private sent: number[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.sent = (await ctx.storage.get<number[]>(LOG_KEY)) ?? [];
    });
  }

  /** Takes a send slot now and answers 0, or answers how many ms to wait (taking nothing). */
  async reserve(rules: RateRule[]): Promise<number> {
    const now = Date.now();
    const wait = waitForSlot(this.sent, rules, now);
    if (wait > 0) return wait;
    const keep = Math.max(...rules.map((r) => r.count));
    this.sent = [...this.sent, now].slice(-keep);
    await this.ctx.storage.put(LOG_KEY, this.sent);
    return 0;
  }
}
