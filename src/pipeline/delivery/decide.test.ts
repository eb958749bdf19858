import { describe, expect, it } from "vitest";
import type { Verdict } from "../../messages/types";
import { QUEUE_GRACE_MS } from "../dispatch/enqueue";
import { type AttemptContext, decideAttempt, type JobResult } from "./decide";

const ctx = (over: Partial<AttemptContext> = {}): AttemptContext => ({
  lane: "fast",
  timeoutMs: 2000,
  fastLaneTimeoutMs: 2000,
  destinationSlow: false,
  members: [{ id: "dlv_1", attempts: 1, isCall: true }],
  jitter: 0.5,
  detailKey: "attempts/1970-01-01/b.ndjson.gz",
  ...over,
});
const answered = (status: number, verdict: Verdict, durationMs = 10): JobResult => ({
  kind: "sent",
  send: { durationMs, response: { status, headers: new Headers(), body: "x".repeat(2000) } },
  verdict,
  attemptedAt: 1_000,
});

describe("decideAttempt", () => {
  it("a 2xx delivers, keeps the first 1 KB of the answer and tells the breaker it succeeded", () => {
    const d = decideAttempt(answered(200, { outcome: "delivered" }), ctx());
    expect(d.outcomes[0]).toMatchObject({
      status: "delivered",
      nextAttemptAt: null,
      leaseUntil: null,
      lastError: null,
    });
    expect(d.outcomes[0]?.attempt).toMatchObject({
      waitReason: null,
      nextAttemptAt: null,
      detailKey: "attempts/1970-01-01/b.ndjson.gz",
    });
    expect(d.outcomes[0]?.attempt.responseBody).toHaveLength(1024);
    expect(d.observation).toEqual({ at: 1_000, ok: true, timedOut: false });
    expect(d.enqueue).toEqual([]);
  });

  it("a retry follows the schedule and is queued on the slow lane with its lease past the due time", () => {
    const d = decideAttempt(
      answered(500, { outcome: "retry", reason: "HTTP 500" }),
      ctx({ members: [{ id: "dlv_1", attempts: 2, isCall: true }] }),
    );
    expect(d.outcomes[0]).toMatchObject({
      status: "retrying",
      nextAttemptAt: 1_000 + 5_000,
      leaseUntil: 6_000 + QUEUE_GRACE_MS,
    });
    expect(d.outcomes[0]?.attempt).toMatchObject({ waitReason: "backoff", nextAttemptAt: 6_000 });
    expect(d.enqueue).toEqual([{ deliveryId: "dlv_1", delaySeconds: 5 }]);
    expect(d.observation?.ok).toBe(false);
  });

  it("no answer in the fast lane is retried at once in the slow lane, counted as a timeout, without moving the destination", () => {
    const d = decideAttempt(
      {
        kind: "sent",
        send: { durationMs: 2000, error: "timed out after 2000 ms", timedOut: true },
        verdict: { outcome: "retry", reason: "timed out after 2000 ms" },
        attemptedAt: 3_000,
      },
      ctx(),
    );
    expect(d.outcomes[0]).toMatchObject({
      status: "retrying",
      nextAttemptAt: 3_000,
      lastError: "no answer within 2000 ms: retried in the slow lane",
    });
    expect(d.outcomes[0]?.attempt).toMatchObject({ waitReason: "slow_lane", nextAttemptAt: 3_000 });
    expect(d.enqueue).toEqual([{ deliveryId: "dlv_1", delaySeconds: 0 }]);
    expect(d.observation).toEqual({ at: 3_000, ok: false, timedOut: true });
    expect(d.slowCleared).toBe(false);
  });

  it("a job that failed before sending is the delivery's failed attempt with the error, and says nothing to the breaker", () => {
    const d = decideAttempt({ kind: "error", error: "stored template does not parse", attemptedAt: 5 }, ctx());
    expect(d.outcomes[0]).toMatchObject({
      status: "retrying",
      lastError: "could not send: stored template does not parse",
    });
    expect(d.outcomes[0]?.attempt).toMatchObject({
      statusCode: null,
      outcome: "retry",
      error: "could not send: stored template does not parse",
    });
    expect(d.observation).toBeNull();
  });

  it("the last retry gives up: failed, counted as exhausted for calls only", () => {
    const members = [
      { id: "dlv_1", attempts: 9, isCall: true },
      { id: "dlv_2", attempts: 9, isCall: false },
    ];
    const d = decideAttempt(answered(500, { outcome: "retry", reason: "HTTP 500" }), ctx({ members }));
    expect(d.outcomes.map((o) => o.status)).toEqual(["failed", "failed"]);
    expect(d.exhausted).toEqual({ count: 1, lastError: "gave up after 9 attempts: HTTP 500" });
    expect(d.outcomes[0]?.attempt).toMatchObject({ waitReason: null, nextAttemptAt: null });
  });

  it("a receiver's Retry-After is the wait's reason, with the time it names", () => {
    const d = decideAttempt(
      answered(429, { outcome: "retry", reason: "HTTP 429", retryAfterSeconds: 120 }),
      ctx({ lane: "slow", members: [{ id: "dlv_1", attempts: 3, isCall: true }] }),
    );
    expect(d.outcomes[0]?.attempt).toMatchObject({ waitReason: "retry_after", nextAttemptAt: 121_000 });
  });

  it("a permanent answer fails and disables the destination; a timely answer in the slow lane clears its slow mark", () => {
    const gone = decideAttempt(answered(410, { outcome: "failed", reason: "HTTP 410" }), ctx());
    expect(gone.disable).toMatchObject({ reason: "HTTP 410", deliveryId: "dlv_1", statusCode: 410 });
    expect(gone.outcomes[0]?.status).toBe("failed");
    const timely = decideAttempt(
      answered(200, { outcome: "delivered" }, 50),
      ctx({ lane: "slow", destinationSlow: true, timeoutMs: 15_000 }),
    );
    expect(timely.slowCleared).toBe(true);
  });
});
