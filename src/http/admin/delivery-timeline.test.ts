import { describe, expect, it } from "vitest";
import type { StoredAttempt } from "../../storage/delivery-attempts";
import { deliveryTimeline, UNPLANNED_WAIT_MS } from "./delivery-timeline";

const attempt = (over: Partial<StoredAttempt>): StoredAttempt => ({
  id: 1,
  deliveryId: "dlv_1",
  attemptedAt: 1_000,
  statusCode: 500,
  durationMs: 12,
  outcome: "retry",
  error: "HTTP 500",
  responseBody: "oops",
  waitReason: "backoff",
  nextAttemptAt: 6_000,
  detailKey: null,
  ...over,
});
type Circuit = Parameters<typeof deliveryTimeline>[2];
const closed: Circuit = { circuit: "closed", openUntil: null };

describe("deliveryTimeline", () => {
  it("a failure then a success: planned, the attempt, its wait with the reason, the second attempt; nothing next", () => {
    const entries = deliveryTimeline(
      { createdAt: 500, status: "delivered", nextAttemptAt: null, leaseUntil: null },
      [
        attempt({}),
        attempt({
          id: 2,
          attemptedAt: 6_100,
          statusCode: 200,
          outcome: "delivered",
          error: null,
          waitReason: null,
          nextAttemptAt: null,
        }),
      ],
      closed,
      10_000,
    );
    expect(entries).toEqual([
      { kind: "planned", at: 500 },
      { kind: "attempt", at: 1_000, outcome: "retry", statusCode: 500, durationMs: 12, error: "HTTP 500" },
      { kind: "wait", at: 1_000, until: 6_000, reason: "backoff" },
      { kind: "attempt", at: 6_100, outcome: "delivered", statusCode: 200, durationMs: 12, error: null },
    ]);
  });

  it("the next attempt: as planned, held past the plan, held by an open breaker, in flight, or sooner by hand", () => {
    const next = (
      delivery: { nextAttemptAt: number; leaseUntil: number | null },
      destination: Circuit = closed,
      now = 2_000,
    ) => deliveryTimeline({ createdAt: 500, status: "retrying", ...delivery }, [attempt({})], destination, now).at(-1);
    expect(next({ nextAttemptAt: 6_000, leaseUntil: 66_000 })).toMatchObject({
      kind: "next",
      at: 6_000,
      reason: "scheduled",
    });
    expect(next({ nextAttemptAt: 6_000 + UNPLANNED_WAIT_MS + 1, leaseUntil: null })).toMatchObject({ reason: "held" });
    expect(next({ nextAttemptAt: 90_000, leaseUntil: null }, { circuit: "open", openUntil: 90_000 })).toEqual({
      kind: "next",
      at: 90_000,
      reason: "breaker",
      breakerOpenUntil: 90_000,
    });
    expect(next({ nextAttemptAt: 40_000, leaseUntil: 40_000 })).toMatchObject({ reason: "in_flight" });
    expect(next({ nextAttemptAt: 0, leaseUntil: 60_000 })).toMatchObject({ reason: "by_hand" });
  });

  it("a pending delivery's first attempt is planned at its creation; a paused one has no next attempt", () => {
    const pending = deliveryTimeline(
      { createdAt: 500, status: "pending", nextAttemptAt: 500, leaseUntil: 30_500 },
      [],
      null,
      600,
    );
    expect(pending).toEqual([
      { kind: "planned", at: 500 },
      { kind: "next", at: 500, reason: "scheduled", breakerOpenUntil: null },
    ]);
    const paused = deliveryTimeline(
      { createdAt: 500, status: "paused", nextAttemptAt: null, leaseUntil: null },
      [],
      null,
      600,
    );
    expect(paused).toEqual([{ kind: "planned", at: 500 }]);
  });
});
