import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCall, validFilter } from "./arbitraries";
import { matchesFilter } from "./evaluate";
import { explainFilter } from "./explain";
import type { Filter } from "./validate";

describe("explainFilter", () => {
  it("agrees with the evaluator on every valid filter and call", () => {
    fc.assert(
      fc.property(validFilter, sampleCall, (filter, call) => {
        expect(explainFilter(filter, call).matched).toBe(matchesFilter(filter, call));
      }),
      { numRuns: 1000 },
    );
  });

  it("agrees with the evaluator on any JSON at all", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (filter, call) => {
        expect(explainFilter(filter as Filter, call).matched).toBe(matchesFilter(filter as Filter, call));
      }),
    );
  });

  it.each([
    [{ intentCode: { $in: ["302", "303"] } }, { intentCode: "401" }, 'intentCode: "401" is not in ["302","303"]'],
    [{ connected: true }, { connected: false }, "connected: false is not true"],
    [{ callDuration: { $gte: 30 } }, { callDuration: 12 }, "callDuration: 12 is not >= 30"],
    [{ callDuration: { $gte: 30 } }, {}, "callDuration: null is not >= 30"],
    [{ recordingFileId: { $exist: true } }, { recordingFileId: null }, "recordingFileId is missing"],
    [{ intent: { $contains: "Interested" } }, { intent: "Busy" }, 'intent: "Busy" does not contain "Interested"'],
    [
      { intentCode: { $not: { $eq: "0" } } },
      { intentCode: "0" },
      'intentCode: "0" matches {"$eq":"0"}, which $not excludes',
    ],
    [
      { $or: [{ intentCode: "302" }, { callDuration: { $gt: 60 } }] },
      { intentCode: "401", callDuration: 5 },
      'none of $or matched: intentCode: "401" is not "302"; callDuration: 5 is not > 60',
    ],
    [{ connected: true, intentCode: "302" }, { connected: true, intentCode: "303" }, 'intentCode: "303" is not "302"'],
  ])("names the failing condition of %j for %j", (filter, call, reason) => {
    expect(explainFilter(filter, call)).toEqual({ matched: false, reason });
  });

  it("says when a call matches", () => {
    expect(explainFilter({ intentCode: { $in: ["302"] } }, { intentCode: "302" })).toEqual({ matched: true });
  });
});
