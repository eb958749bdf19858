import { DurableObject } from "cloudflare:workers";
import type { RateRule } from "../../messages/types";
import { type Health, type Judgement, judge, NO_HEALTH, type Observation, observe } from "../../model/breaker-window";

const LOG_KEY = "sent";
const HEALTH_KEY = "health";

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
 * window than its platform allows, however many consumers run at once; and the window of its recent attempts
 * (`health.ts`) that the breaker and the lanes judge, added to by every batch one at a time.
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

  /** Adds a batch's attempts to the destination's window and answers the judgement on it. */
  async observe(observations: Observation[]): Promise<Judgement> {
    const now = Date.now();
    const health = observe((await this.ctx.storage.get<Health>(HEALTH_KEY)) ?? NO_HEALTH, observations, now);
    await this.ctx.storage.put(HEALTH_KEY, health);
    return judge(health, now);
  }
}
