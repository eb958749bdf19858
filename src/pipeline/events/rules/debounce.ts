/** Debounce state of one repeated event (one destination or source, one type). */
export interface GateState {
  /** When the last event went out. */
  sentAt: number;
  /** Occurrences since then, not yet in an event. */
  pending: number;
}

/** What happens to an occurrence: an event now with `count` (this one and those held back), or held back. */
export type GateDecision = { emit: true; count: number; state: GateState } | { emit: false; state: GateState };

/**
 * `count` occurrences at `now`: the first ever goes out at once; later ones go out when `windowMs` has passed since
 * the last event, counting everything held back meanwhile; in between they are held back (see {@link flushGate}).
 */
export function passGate(state: GateState | null, count: number, now: number, windowMs: number): GateDecision {
  if (state === null || now - state.sentAt >= windowMs) {
    return { emit: true, count: count + (state?.pending ?? 0), state: { sentAt: now, pending: 0 } };
  }
  return { emit: false, state: { sentAt: state.sentAt, pending: state.pending + count } };
}

/** At a scheduled run: the held-back occurrences go out once `windowMs` has passed since the last event. */
export function flushGate(state: GateState, now: number, windowMs: number): GateDecision {
  if (state.pending > 0 && now - state.sentAt >= windowMs) {
    return { emit: true, count: state.pending, state: { sentAt: now, pending: 0 } };
  }
  return { emit: false, state };
}

/** 15 minutes: `delivery.exhausted` and `records.rejected`. */
export const ALERT_WINDOW_MS = 15 * 60_000;
/** An hour: `line.balance_announcement`. */
export const HOURLY_WINDOW_MS = 60 * 60_000;
