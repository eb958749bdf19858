import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NormalizedCall } from "../../model/calls/fields";
import { eventTypes } from "../../model/events/types";
import { sampleCall, validFilter } from "../../model/filters/arbitraries";
import { explainForward } from "../../model/filters/explain-call";
import { plannedDeliveries } from "./plan";

const sources = ["src_a", "src_b"];

const destination = fc.record({
  id: fc.constant("dst_1"),
  name: fc.constant("hook"),
  type: fc.constant("webhook"),
  enabled: fc.boolean(),
  sourceIds: fc.subarray(sources),
  events: fc.subarray([...eventTypes], { maxLength: 3 }),
  filter: validFilter,
});

const call = fc
  .tuple(sampleCall, fc.constantFrom(...sources))
  .map(([fields, sourceId]) => ({ ...fields, sourceId, voiceId: "v1" }) as unknown as NormalizedCall);

describe("explainForward and the planner", () => {
  it("explain says forwarded exactly when the planner plans a pending delivery, and disabled exactly when a paused one", () => {
    fc.assert(
      fc.property(destination, call, (dest, c) => {
        const planned = plannedDeliveries([dest], [c], 0);
        const explained = explainForward(dest, c);
        expect(explained.matched).toBe(planned.some((r) => r.status === "pending"));
        expect(explained.reason === "the destination is disabled").toBe(planned.some((r) => r.status === "paused"));
        expect(planned.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});
