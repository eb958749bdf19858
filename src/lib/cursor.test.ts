import { z } from "@hono/zod-openapi";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cursorParam, encodeCursor } from "./cursor";

const keys = z.object({ at: z.number().int(), id: z.string() });
const param = cursorParam(keys);

describe("cursors", () => {
  it("read back the keys they were made of", () => {
    fc.assert(
      fc.property(fc.record({ at: fc.integer(), id: fc.string({ unit: "binary" }) }), (value) => {
        const cursor = encodeCursor(value);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(param.parse(cursor)).toEqual(value);
      }),
    );
  });

  it("reject anything else as one issue, without throwing", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.base64String(),
          fc.json().map((j) => encodeCursor({ j })),
        ),
        (text) => {
          const result = param.safeParse(text);
          if (result.success) expect(keys.parse(result.data)).toEqual(result.data);
          else expect(result.error.issues).toEqual([expect.objectContaining({ path: [] })]);
        },
      ),
    );
  });

  it("reject keys of another list", () => {
    expect(param.safeParse(encodeCursor({ at: "soon", id: "x" })).success).toBe(false);
    expect(param.safeParse(encodeCursor({ id: "x" })).success).toBe(false);
    expect(param.safeParse("").success).toBe(false);
    expect(param.parse(undefined)).toBeUndefined();
  });
});
