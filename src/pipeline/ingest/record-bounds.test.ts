import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { upstreamFields } from "../../model/calls/fields";
import { MAX_FIELD_CHARS } from "../../model/calls/values";
import { chunkJsonRows, MAX_JSON_PARAM_CHARS } from "../../storage/db/batch";
import { MAX_EXTRA_CHARS, parsePushBody } from "./ingest";

/** A record with every string field `fill` repeated to the cap, every number at its largest, and `extra`. */
function recordAtCaps(fill: string, extraChars: number) {
  const record: Record<string, unknown> = { voiceId: "v".repeat(128) };
  for (const [name, kind] of Object.entries(upstreamFields)) {
    record[name] = kind === "string" ? fill.repeat(MAX_FIELD_CHARS) : kind === "time" ? 253402300799999 : 2 ** 53 - 1;
  }
  if (extraChars > 0) record.extraField = "e".repeat(extraChars);
  return record;
}

describe("a record at the caps", () => {
  it("is stored in a statement of its own, or rejected with its reason: never a statement D1 refuses", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("x", '"', "\u0001", "é", "\ud83d\ude00".slice(0, 1)),
        fc.integer({ min: 0, max: MAX_EXTRA_CHARS - 20 }),
        (fill, extraChars) => {
          const parsed = parsePushBody(JSON.stringify({ array: [recordAtCaps(fill, extraChars)] }), "src_default", 0);
          for (const call of parsed.calls) {
            const chunks = chunkJsonRows([Object.values(call)]);
            expect(chunks).toHaveLength(1);
            expect(chunks[0]?.length).toBeLessThanOrEqual(MAX_JSON_PARAM_CHARS);
          }
          for (const r of parsed.rejected) expect(r.error).toMatch(/^the record is larger than 300000 characters/);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("of plain text is read whole", () => {
    const parsed = parsePushBody(JSON.stringify({ array: [recordAtCaps("x", MAX_EXTRA_CHARS - 20)] }), "src", 0);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.calls).toHaveLength(1);
  });
});
