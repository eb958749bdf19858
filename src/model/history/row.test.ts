import fc from "fast-check";
import { describe, expect, it } from "vitest";
import schemaFile from "../../../basin/calls.schema.json";
import { schemaFileProblem } from "../../../test/history/schema-file";
import type { NormalizedCall } from "../calls/fields";
import { normalize } from "../calls/normalize";
import { parseRecord } from "../calls/record-schema";
import { historyRow, pushRows } from "./row";
import { callsStreamSchema } from "./schema";

describe("the calls stream's schema", () => {
  it("is the file basin/calls.schema.json (run npm run history:schema after changing the calls table)", () => {
    expect(schemaFile).toEqual(JSON.parse(JSON.stringify(callsStreamSchema)));
  });

  it("has every column a stored call has, under D1's names", () => {
    const names = callsStreamSchema.fields.map((f) => f.name);
    for (const column of ["source_id", "voice_id", "call_time", "connected", "received_at", "push_id", "call_at"]) {
      expect(names).toContain(column);
    }
    expect(new Set(names).size).toBe(names.length);
  });
});

const SOURCE = "src_default";
const AT = Date.UTC(2026, 2, 26, 8);

/** The calls a push of `records` stores, as the push endpoint reads them. */
function callsOf(records: unknown[]): NormalizedCall[] {
  return records.flatMap((record) => {
    const read = parseRecord(record);
    return read.ok ? [normalize(read.report, SOURCE, AT)] : [];
  });
}

/** Records as the platform might send them: any field may be missing, null, a string or a number. */
const platformRecord = fc.record(
  {
    voiceId: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.integer({ min: 0 })),
    callee: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    callTime: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.stringMatching(/^20\d{12}$/)),
    callDuration: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constant("35"), fc.constant(null)),
    callStatusNew: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(null)),
    intentCode: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    cost: fc.oneof(fc.constant("0.0123"), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    extraField: fc.jsonValue(),
  },
  { requiredKeys: ["voiceId"] },
);

describe("a call's stream row", () => {
  it("matches the schema for every record the push endpoint stores", () => {
    fc.assert(
      fc.property(fc.array(platformRecord, { maxLength: 20 }), (records) => {
        const calls = callsOf(records);
        const { rows, invalid } = pushRows(calls, "psh_1");
        expect(invalid).toEqual([]);
        expect(rows).toHaveLength(calls.length);
        for (const row of rows) expect(schemaFileProblem(row)).toBeNull();
      }),
    );
  });

  it("carries the push, the call's own time and its version", () => {
    const calls = callsOf([{ voiceId: "v1", submitTime: 1000 }]);
    const { row, problem } = historyRow(calls[0] as (typeof calls)[number], "psh_9");
    expect(problem).toBeNull();
    expect(row).toMatchObject({ voice_id: "v1", source_id: SOURCE, push_id: "psh_9", call_at: 1000, version: AT });
    expect(row.received_at).toBe(AT);
  });

  it("names every field a call gets wrong for the schema", () => {
    const calls = callsOf([{ voiceId: "v1" }]);
    const call = { ...(calls[0] as (typeof calls)[number]), callDuration: "35", connected: null, callTime: -5 };
    const { problem } = historyRow(call as unknown as (typeof calls)[number], "psh_9");
    expect(problem).toBe(
      'call_time: expected timestamp, got -5; call_duration: expected int64, got "35"; connected: required; call_at: expected timestamp, got -5',
    );
    expect(pushRows([call as unknown as (typeof calls)[number]], "psh_9").invalid).toEqual([
      { voiceId: "v1", error: problem },
    ]);
  });
});
