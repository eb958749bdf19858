import { describe, expect, it } from "vitest";
import { CLOSED } from "../dispatch/breaker";
import { type BatchFacts, exhaustedOccurrences, transitionEvents } from "./delivery-events";

const destination = { id: "dst_a", name: "CRM" };
const open = { state: "open" as const, failStreak: 5, trips: 1, openUntil: Date.UTC(2026, 0, 1, 0, 0, 30) };
const halfOpen = { ...open, state: "half_open" as const };
const facts = (circuits: BatchFacts["circuits"]): BatchFacts => ({ disabled: [], exhausted: [], circuits });

describe("transitionEvents", () => {
  it("says breaker.opened once per outage: a failed probe re-opening the circuit is not a new one", () => {
    const opened = transitionEvents(facts([{ destination, before: CLOSED, after: open }]), () => null);
    expect(opened).toEqual([
      {
        type: "breaker.opened",
        aboutDestinationId: "dst_a",
        data: { destinationId: "dst_a", destinationName: "CRM", failures: 5, openUntil: "2026-01-01T00:00:30.000Z" },
      },
    ]);
    expect(transitionEvents(facts([{ destination, before: halfOpen, after: open }]), () => null)).toEqual([]);
  });

  it("says breaker.closed with when it opened, and destination.disabled each time", () => {
    const at = Date.UTC(2026, 0, 1);
    const events = transitionEvents(
      {
        disabled: [{ destination, reason: "HTTP 410", lastStatusCode: 410, lastResponse: "gone" }],
        exhausted: [],
        circuits: [{ destination, before: halfOpen, after: CLOSED }],
      },
      (id) => (id === "dst_a" ? at : null),
    );
    expect(events.map((e) => [e.type, e.aboutDestinationId])).toEqual([
      ["destination.disabled", "dst_a"],
      ["breaker.closed", "dst_a"],
    ]);
    expect(events[1]?.data).toMatchObject({ openedAt: "2026-01-01T00:00:00.000Z" });
  });
});

describe("exhaustedOccurrences", () => {
  it("one gate per destination, 15 minutes, with the batch's count", () => {
    const [occurrence] = exhaustedOccurrences({
      disabled: [],
      circuits: [],
      exhausted: [{ destination, count: 3, lastError: "gave up after 9 attempts: HTTP 500" }],
    });
    expect(occurrence).toMatchObject({
      key: "delivery.exhausted:dst_a",
      windowMs: 900_000,
      count: 3,
      event: { type: "delivery.exhausted", aboutDestinationId: "dst_a", data: { count: 3 } },
    });
  });
});
