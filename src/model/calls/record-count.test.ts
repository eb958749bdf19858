import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countPushRecords } from "./record-count";

const lengthOfArray = (body: string) => {
  const parsed = JSON.parse(body) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return 0;
  const array = (parsed as { array?: unknown }).array;
  return Array.isArray(array) ? array.length : 0;
};

describe("countPushRecords", () => {
  it("counts the records of the sample shapes", () => {
    expect(countPushRecords('{"array":[]}')).toBe(0);
    expect(countPushRecords('{"array":[{}]}')).toBe(1);
    expect(countPushRecords('{ "other": [1,2,3], "array" : [ {"a":"x,]}"}, [1,[2]], "s" , 3 ] }')).toBe(4);
    expect(countPushRecords('{"array":[1,2],"array":"no"}')).toBe(0);
    expect(countPushRecords('{"x":{"array":[1,2]}}')).toBe(0);
    expect(countPushRecords('{"\\u0061rray":[1,2]}')).toBe(2);
  });

  it("equals the length of the parsed body's array, for any JSON body", () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const body = fc.oneof(
      fc.record({ array: fc.array(value, { maxLength: 30 }) }, { noNullPrototype: true }),
      fc.dictionary(fc.oneof(fc.constant("array"), fc.string()), value),
      value,
    );
    fc.assert(
      fc.property(body, fc.boolean(), (b, spaced) => {
        const text = JSON.stringify(b, null, spaced ? 2 : undefined);
        expect(countPushRecords(text)).toBe(lengthOfArray(text));
      }),
      { numRuns: 500 },
    );
  });

  it("stops counting past the limit", () => {
    const body = JSON.stringify({ array: Array.from({ length: 50 }, () => ({})) });
    expect(countPushRecords(body, 50)).toBe(50);
    expect(countPushRecords(body, 49)).toBe(Number.POSITIVE_INFINITY);
  });
});
