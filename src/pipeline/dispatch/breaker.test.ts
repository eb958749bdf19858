import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Judgement } from "../../model/breaker-window";
import { admit, BASE_COOL_DOWN_MS, type Circuit, CLOSED, coolDownMs, MAX_COOL_DOWN_MS, nextCircuit } from "./breaker";

const LEASE = 20_000;
const failing: Judgement = { failing: true, slow: false, failures: 12 };
const healthy: Judgement = { failing: false, slow: false, failures: 3 };

describe("the circuit breaker", () => {
  it("a closed circuit opens for 30 s when the destination is judged failing, and only then", () => {
    expect(nextCircuit(CLOSED, { succeeded: 90, failed: 10 }, healthy, 1000)).toEqual(CLOSED);
    expect(nextCircuit(CLOSED, { succeeded: 0, failed: 10 }, null, 1000)).toEqual(CLOSED);
    const open = nextCircuit(CLOSED, { succeeded: 8, failed: 12 }, failing, 1000);
    expect(open).toEqual({ state: "open", failStreak: 12, trips: 1, openUntil: 1000 + 30_000 });
    expect(admit(open, 30_999, LEASE)).toEqual({ send: "none", until: 31_000 });
  });

  it("sends one probe after the cool-down; its success closes, its failure reopens for twice as long", () => {
    const open = nextCircuit(CLOSED, { succeeded: 0, failed: 20 }, failing, 0);
    const probe = admit(open, 30_000, LEASE);
    expect(probe).toEqual({ send: "probe", circuit: { ...open, state: "half_open", openUntil: 30_000 + LEASE } });
    if (probe.send !== "probe") throw new Error("no probe");
    expect(admit(probe.circuit, 30_001, LEASE)).toEqual({ send: "none", until: 30_000 + LEASE });
    expect(nextCircuit(probe.circuit, { succeeded: 1, failed: 0 }, healthy, 31_000)).toEqual(CLOSED);
    expect(nextCircuit(probe.circuit, { succeeded: 0, failed: 1 }, null, 31_000)).toEqual({
      state: "open",
      failStreak: 12,
      trips: 2,
      openUntil: 31_000 + 60_000,
    });
    expect(nextCircuit(probe.circuit, { succeeded: 0, failed: 0 }, null, 31_000)).toEqual(probe.circuit);
  });

  it("sends another probe when the first one's lease ran out", () => {
    const halfOpen: Circuit = { state: "half_open", failStreak: 5, trips: 1, openUntil: 50_000 };
    expect(admit(halfOpen, 50_000, LEASE)).toMatchObject({ send: "probe" });
  });

  it("late failures of attempts sent before it opened do not extend the cool-down", () => {
    const open = nextCircuit(CLOSED, { succeeded: 0, failed: 20 }, failing, 0);
    expect(nextCircuit(open, { succeeded: 0, failed: 6 }, failing, 10_000)).toEqual(open);
  });

  it("doubles the cool-down from 30 s up to 10 minutes", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(coolDownMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000,
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (trips) => {
        const ms = coolDownMs(trips);
        expect(ms).toBeGreaterThanOrEqual(BASE_COOL_DOWN_MS);
        expect(ms).toBeLessThanOrEqual(MAX_COOL_DOWN_MS);
        expect(coolDownMs(trips + 1)).toBeGreaterThanOrEqual(ms);
      }),
    );
  });
});
