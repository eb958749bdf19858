import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deliveryStatuses } from "./db/schema";
import { nextTailCursor } from "./tail";

const cursor = fc.record({ p: fc.nat(1000), d: fc.nat(1000) });
/** What one read returns: rows above the cursor, distinct rowids. */
const read = (after: { p: number; d: number }) =>
  fc.record({
    pushes: fc.uniqueArray(fc.integer({ min: after.p + 1, max: after.p + 200 }), { maxLength: 50 }),
    deliveries: fc.uniqueArray(
      fc.record({
        rowid: fc.integer({ min: after.d + 1, max: after.d + 200 }),
        status: fc.constantFrom(...deliveryStatuses),
      }),
      { maxLength: 50, selector: (d) => d.rowid },
    ),
  });

describe("nextTailCursor", () => {
  it("never moves back, passes every push read, and stops below the oldest delivery still settling", () => {
    fc.assert(
      fc.property(
        cursor.chain((after) => fc.tuple(fc.constant(after), read(after))),
        ([after, { pushes, deliveries }]) => {
          const next = nextTailCursor(
            after,
            pushes.map((rowid) => ({ rowid })),
            deliveries,
          );
          expect(next.p).toBe(Math.max(after.p, ...pushes));
          expect(next.d).toBeGreaterThanOrEqual(after.d);
          const open = deliveries.filter((d) => d.status === "pending" || d.status === "retrying");
          // Every delivery still settling is read again next time; every settled one above them is not skipped either.
          for (const d of open) expect(d.rowid).toBeGreaterThan(next.d);
          if (open.length === 0) expect(next.d).toBe(Math.max(after.d, ...deliveries.map((d) => d.rowid)));
          else expect(next.d).toBe(Math.min(...open.map((d) => d.rowid)) - 1);
        },
      ),
    );
  });

  it("stays put when nothing new was read", () => {
    expect(nextTailCursor({ p: 7, d: 9 }, [], [])).toEqual({ p: 7, d: 9 });
  });
});
