import type { Judgement } from "../../model/breaker-window";
import type { CircuitState } from "../../storage/db/schema";

/** The first cool-down; each further opening doubles it, up to {@link MAX_COOL_DOWN_MS}. */
export const BASE_COOL_DOWN_MS = 30_000;
export const MAX_COOL_DOWN_MS = 10 * 60_000;

/** A destination's breaker as stored with it. */
export interface Circuit {
  state: CircuitState;
  /** The failed attempts in the window (`health.ts`) when it last opened. */
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

/** How one batch's attempts to a destination went (timeouts count as failures). */
export interface BatchAttempts {
  succeeded: number;
  failed: number;
}

/**
 * The circuit after a batch: a closed one opens when the destination's recent attempts are judged failing
 * ({@link Judgement}; null when no judgement could be made); the half-open probe's success closes it and its failure
 * opens it again for a doubled cool-down; an open one stays as it is (attempts that started before it opened).
 */
export function nextCircuit(circuit: Circuit, batch: BatchAttempts, judgement: Judgement | null, now: number): Circuit {
  const open = (failures: number): Circuit => {
    const trips = circuit.trips + 1;
    return { state: "open", failStreak: failures, trips, openUntil: now + coolDownMs(trips) };
  };
  if (circuit.state === "half_open") {
    if (batch.succeeded > 0) return CLOSED;
    return batch.failed > 0 ? open(Math.max(circuit.failStreak, judgement?.failures ?? 0)) : circuit;
  }
  if (circuit.state === "closed" && judgement?.failing) return open(judgement.failures);
  return circuit;
}
