import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  admit,
  afterAttempt,
  BASE_COOL_DOWN_MS,
  BREAKER_THRESHOLD,
  type Circuit,
  CLOSED,
  coolDownMs,
  MAX_COOL_DOWN_MS,
} from "./breaker";

const LEASE = 20_000;

function fail(circuit: Circuit, times: number, now: number) {
  let c = circuit;
  for (let i = 0; i < times; i++) c = afterAttempt(c, false, now);
  return c;
}

describe("the circuit breaker", () => {
  it("stays closed through four failures and opens at the fifth for 30 s", () => {
    const four = fail(CLOSED, BREAKER_THRESHOLD - 1, 1000);
    expect(four).toEqual({ state: "closed", failStreak: 4, trips: 0, openUntil: null });
    expect(admit(four, 1000, LEASE)).toEqual({ send: "all" });
    const open = afterAttempt(four, false, 1000);
    expect(open).toEqual({ state: "open", failStreak: 5, trips: 1, openUntil: 1000 + 30_000 });
    expect(admit(open, 30_999, LEASE)).toEqual({ send: "none", until: 31_000 });
  });

  it("a success resets the streak", () => {
    expect(afterAttempt(fail(CLOSED, 4, 0), true, 0)).toEqual(CLOSED);
    expect(fail(afterAttempt(fail(CLOSED, 4, 0), true, 0), 4, 0).state).toBe("closed");
  });

  it("sends one probe after the cool-down; its success closes, its failure reopens for twice as long", () => {
    const open = fail(CLOSED, 5, 0);
    const probe = admit(open, 30_000, LEASE);
    expect(probe).toEqual({ send: "probe", circuit: { ...open, state: "half_open", openUntil: 30_000 + LEASE } });
    if (probe.send !== "probe") throw new Error("no probe");
    expect(admit(probe.circuit, 30_001, LEASE)).toEqual({ send: "none", until: 30_000 + LEASE });
    expect(afterAttempt(probe.circuit, true, 31_000)).toEqual(CLOSED);
    expect(afterAttempt(probe.circuit, false, 31_000)).toEqual({
      state: "open",
      failStreak: 6,
      trips: 2,
      openUntil: 31_000 + 60_000,
    });
  });

  it("sends another probe when the first one's lease ran out", () => {
    const halfOpen: Circuit = { state: "half_open", failStreak: 5, trips: 1, openUntil: 50_000 };
    expect(admit(halfOpen, 50_000, LEASE)).toMatchObject({ send: "probe" });
  });

  it("late failures of attempts sent before it opened do not extend the cool-down", () => {
    const open = fail(CLOSED, 5, 0);
    expect(afterAttempt(open, false, 10_000)).toEqual({ ...open, failStreak: 6 });
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

  it("never opens without five failures in a row, and is open after any five in a row", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 40 }), (outcomes) => {
        let c = CLOSED;
        let streak = 0;
        outcomes.forEach((ok, i) => {
          c = afterAttempt(c, ok, i);
          streak = ok ? 0 : streak + 1;
          expect(c.state === "open").toBe(streak >= BREAKER_THRESHOLD);
        });
      }),
    );
  });
});
