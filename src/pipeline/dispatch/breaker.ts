import type { CircuitState } from "../../storage/db/schema";

/** Consecutive failed or timed-out attempts that open a destination's circuit. */
export const BREAKER_THRESHOLD = 5;
/** The first cool-down; each further opening doubles it, up to {@link MAX_COOL_DOWN_MS}. */
export const BASE_COOL_DOWN_MS = 30_000;
export const MAX_COOL_DOWN_MS = 10 * 60_000;

/** A destination's breaker as stored with it. */
export interface Circuit {
  state: CircuitState;
  failStreak: number;
  /** Openings since the circuit was last closed. */
  trips: number;
  /** `open`: deliveries are held until then. `half_open`: the probe's lease ends then. */
  openUntil: number | null;
}

export const CLOSED: Circuit = { state: "closed", failStreak: 0, trips: 0, openUntil: null };

/** How long the circuit stays open after its `trips`-th opening. */
export function coolDownMs(trips: number): number {
  return Math.min(BASE_COOL_DOWN_MS * 2 ** Math.max(0, trips - 1), MAX_COOL_DOWN_MS);
}

/** What may be sent to a destination now. */
export type Admission =
  | { send: "all" }
  /** One probe delivery, with the circuit as it is while the probe is out. */
  | { send: "probe"; circuit: Circuit }
  /** Nothing: deliveries are held until `until`. */
  | { send: "none"; until: number };

/** Whether a destination takes deliveries at `now`; a probe's lease lasts `probeLeaseMs`. */
export function admit(circuit: Circuit, now: number, probeLeaseMs: number): Admission {
  if (circuit.state === "closed") return { send: "all" };
  const until = circuit.openUntil ?? 0;
  if (now < until) return { send: "none", until };
  return { send: "probe", circuit: { ...circuit, state: "half_open", openUntil: now + probeLeaseMs } };
}

/**
 * The circuit after an attempt: a success closes it; a failure adds to the streak and opens it at
 * {@link BREAKER_THRESHOLD}, or at once when it was the half-open probe, for a doubled cool-down.
 */
export function afterAttempt(circuit: Circuit, succeeded: boolean, now: number): Circuit {
  if (succeeded) return CLOSED;
  const failStreak = circuit.failStreak + 1;
  if (circuit.state === "open") return { ...circuit, failStreak };
  if (circuit.state === "half_open" || failStreak >= BREAKER_THRESHOLD) {
    const trips = circuit.trips + 1;
    return { state: "open", failStreak, trips, openUntil: now + coolDownMs(trips) };
  }
  return { ...circuit, failStreak };
}
