import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestName } from "../../lib/closest-name";
import { normalizedFieldTypes } from "../calls/fields";
import { validFilter } from "./arbitraries";
import { matchesFilter } from "./evaluate";
import { type Filter, type FilterIssue, filterLimits, formatFilterPath, validateFilter } from "./validate";

function issuesOf(input: unknown): FilterIssue[] {
  const result = validateFilter(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.issues;
}

/** The one issue `input` has. */
function issueOf(input: unknown): FilterIssue {
  const issues = issuesOf(input);
  expect(issues).toHaveLength(1);
  return issues[0] as FilterIssue;
}

/** `leaf` wrapped `levels` times by `wrap`. */
function nested(levels: number, wrap: (inner: unknown) => Filter, leaf: unknown = { connected: true }): Filter {
  let node = leaf;
  for (let i = 0; i < levels; i++) node = wrap(node);
  return node as Filter;
}

describe("validateFilter accepts", () => {
  it("the customer's filter, as the same object", () => {
    const filter = { connected: true, intentCode: { $in: ["302", "303"] }, callDuration: { $gte: 10 } };
    expect(validateFilter(filter)).toEqual({ ok: true, filter });
    expect((validateFilter(filter) as { filter: Filter }).filter).toBe(filter);
  });

  it("{} and empty-looking but meaningful filters", () => {
    for (const filter of [{}, { $not: {} }, { $and: [{}] }, { $or: [{}, { connected: false }] }]) {
      expect(validateFilter(filter), JSON.stringify(filter)).toEqual({ ok: true, filter });
    }
  });

  it("every operator on a field it applies to", () => {
    const filters: Filter[] = [
      { intentCode: "302", callDuration: 0, connected: false, answerTime: null },
      { intentCode: { $eq: "302" }, callDuration: { $eq: null }, connected: { $eq: true } },
      { intentCode: { $neq: "302" }, callDuration: { $neq: 1 }, connected: { $neq: null } },
      { intentCode: { $in: ["302", null] }, callDuration: { $in: [1] }, connected: { $in: [true, false] } },
      { intentCode: { $nin: ["302"] }, callDuration: { $nin: [null, 0] }, connected: { $nin: [null] } },
      { intentCode: { $gt: "3", $lt: "4" }, callDuration: { $gte: 10, $lte: 60.5 }, answerTime: { $gt: -1 } },
      { intentCode: { $exist: true }, callDuration: { $exist: false }, connected: { $exist: true } },
      { callStatusLabel: { $startsWith: "connected", $endsWith: "", $contains: "ect" } },
      { intentCode: { $not: "302" }, callDuration: { $not: { $gte: 10 } }, connected: { $not: { $not: true } } },
      { $and: [{ connected: true }], $or: [{ intentCode: "302" }, { intentCode: "303" }], $not: { callDuration: 0 } },
    ];
    for (const filter of filters) expect(validateFilter(filter), JSON.stringify(filter)).toEqual({ ok: true, filter });
  });

  it("every known field", () => {
    for (const [field, type] of Object.entries(normalizedFieldTypes)) {
      const value = { string: "x", number: 1, boolean: true }[type];
      expect(validateFilter({ [field]: value }).ok, field).toBe(true);
      expect(validateFilter({ [field]: { $exist: true } }).ok, field).toBe(true);
    }
  });

  it("nesting and sizes up to the limits", () => {
    expect(filterLimits).toEqual({ depth: 8, conditions: 200, listItems: 100 });
    expect(validateFilter(nested(8, (f) => ({ $not: f }))).ok).toBe(true);
    expect(validateFilter(nested(8, (f) => ({ $and: [f] }))).ok).toBe(true);
    expect(validateFilter({ callDuration: nested(8, (f) => ({ $not: f }), { $gte: 1 }) }).ok).toBe(true);
    expect(
      validateFilter(nested(4, (f) => ({ $or: [f] }), { intentCode: nested(4, (f) => ({ $not: f }), "1") })).ok,
    ).toBe(true);
    const items = Array.from({ length: 100 }, (_, i) => String(i));
    expect(validateFilter({ intentCode: { $in: items } }).ok).toBe(true);
    const twoHundred = { $and: Array.from({ length: 99 }, (_, i) => ({ callDuration: i })), connected: true };
    expect(validateFilter(twoHundred).ok).toBe(true);
  });

  it("every generated valid filter", () => {
    fc.assert(
      fc.property(validFilter, (filter) => {
        expect(validateFilter(filter)).toEqual({ ok: true, filter });
      }),
    );
  });
});

describe("validateFilter rejects", () => {
  it("what is not an object", () => {
    for (const input of [null, undefined, [], [{ connected: true }], "connected", 1, true]) {
      expect(issueOf(input)).toEqual({ path: "", message: expect.stringMatching(/^a filter must be an object, got /) });
    }
    expect(issueOf([]).message).toBe("a filter must be an object, got an array");
    expect(issueOf(new Date(0)).message).toBe("a filter must be an object, got an object");
  });

  it("an unknown field, suggesting the nearest known one", () => {
    expect(issueOf({ connectd: true })).toEqual({
      path: "connectd",
      message: 'unknown field "connectd"; did you mean "connected"?',
    });
    expect(issueOf({ intent_code: "302" }).message).toBe('unknown field "intent_code"; did you mean "intentCode"?');
    expect(issueOf({ CallDuration: 1 }).message).toBe('unknown field "CallDuration"; did you mean "callDuration"?');
    expect(issueOf({ $or: [{ duration: 1 }] })).toEqual({
      path: "$or[0].duration",
      message: 'unknown field "duration"',
    });
  });

  it("names inherited from Object.prototype, and __proto__", () => {
    expect(issueOf({ constructor: "x" }).message).toMatch(/^unknown field "constructor"/);
    expect(issueOf({ toString: "x" }).message).toMatch(/^unknown field "toString"/);
    expect(issueOf(JSON.parse('{"__proto__": {"connected": true}}'))).toEqual({
      path: "__proto__",
      message: 'unknown field "__proto__"',
    });
  });

  it("an unknown operator, suggesting the nearest known one", () => {
    expect(issueOf({ intentCode: { $regex: "30." } })).toEqual({
      path: "intentCode.$regex",
      message: 'unknown operator "$regex"',
    });
    expect(issueOf({ intentCode: { $ne: "302" } }).message).toBe('unknown operator "$ne"; did you mean "$neq"?');
    expect(issueOf({ intentCode: { $exists: true } }).message).toBe(
      'unknown operator "$exists"; did you mean "$exist"?',
    );
    expect(issueOf({ intentCode: { $starts_with: "3" } }).message).toBe(
      'unknown operator "$starts_with"; did you mean "$startsWith"?',
    );
  });

  it("a key that is not an operator inside a field's condition", () => {
    expect(issueOf({ intentCode: { value: "302" } })).toEqual({
      path: "intentCode.value",
      message: 'unknown operator "value": operators start with "$" (call fields hold single values, not objects)',
    });
    expect(issueOf({ intentCode: { $or: ["302", "303"] } })).toEqual({
      path: "intentCode.$or",
      message: expect.stringMatching(/^\$or combines whole filters and cannot be used inside a field/),
    });
  });

  it("an operator at the top level that is not $and, $or or $not", () => {
    expect(issueOf({ $in: ["302"] })).toEqual({
      path: "$in",
      message:
        '$in goes inside a field\'s condition, e.g. {"intentCode": {"$in": ...}}; at the top level only $and, $or and $not are allowed',
    });
    expect(issueOf({ $nor: [] }).message).toBe('unknown operator "$nor"; did you mean "$or"?');
    expect(issueOf({ $where: "1" }).message).toBe(
      'unknown operator "$where"; at the top level only $and, $or and $not are allowed',
    );
  });

  it("a value whose type can never match the field", () => {
    expect(issueOf({ callDuration: "10" })).toEqual({
      path: "callDuration",
      message: 'expected a number or null (callDuration is a number field), got "10"',
    });
    expect(issueOf({ connected: "yes" })).toEqual({
      path: "connected",
      message: 'expected true, false or null (connected is a boolean field), got "yes"',
    });
    expect(issueOf({ intentCode: 302 }).message).toBe(
      "expected a string or null (intentCode is a string field), got 302",
    );
    expect(issueOf({ intentCode: { $eq: 302 } }).path).toBe("intentCode.$eq");
    expect(issueOf({ connected: { $neq: 1 } }).path).toBe("connected.$neq");
    expect(issueOf({ callDuration: { $in: [10, "20", null] } })).toEqual({
      path: "callDuration.$in[1]",
      message: 'expected a number or null (callDuration is a number field), got "20"',
    });
    expect(issueOf({ intentCode: { $nin: ["302", ["303"]] } }).path).toBe("intentCode.$nin[1]");
  });

  it("numbers that JSON cannot carry", () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(issueOf({ callDuration: n }).message).toBe(
        `expected a number or null (callDuration is a number field), got ${n}`,
      );
      expect(issueOf({ callDuration: { $gt: n } }).path).toBe("callDuration.$gt");
    }
  });

  it("comparisons with a boolean, with null, or on a boolean field", () => {
    expect(issueOf({ callDuration: { $gt: true } })).toEqual({
      path: "callDuration.$gt",
      message: "expected a number (callDuration is a number field), got true",
    });
    expect(issueOf({ callDuration: { $lte: null } }).message).toBe(
      "expected a number (callDuration is a number field), got null",
    );
    expect(issueOf({ intentCode: { $gte: 300 } }).message).toBe(
      "expected a string (intentCode is a string field), got 300",
    );
    expect(issueOf({ connected: { $lt: true } })).toEqual({
      path: "connected.$lt",
      message: "$lt compares numbers or strings; connected is a boolean field",
    });
  });

  it("string operators on other fields or with other values", () => {
    expect(issueOf({ callDuration: { $startsWith: "1" } })).toEqual({
      path: "callDuration.$startsWith",
      message: "$startsWith applies only to string fields; callDuration is a number field",
    });
    expect(issueOf({ connected: { $contains: "t" } }).message).toBe(
      "$contains applies only to string fields; connected is a boolean field",
    );
    expect(issueOf({ intentCode: { $endsWith: 2 } })).toEqual({
      path: "intentCode.$endsWith",
      message: "expected a string (intentCode is a string field), got 2",
    });
    expect(issueOf({ intentCode: { $contains: null } }).path).toBe("intentCode.$contains");
  });

  it("$exist with anything but a boolean", () => {
    for (const v of ["yes", 1, null, [true]]) {
      expect(issueOf({ intentCode: { $exist: v } }).path).toBe("intentCode.$exist");
    }
    expect(issueOf({ intentCode: { $exist: "true" } }).message).toBe('expected true or false, got "true"');
  });

  it("a plain array as a field value, pointing to $in", () => {
    expect(issueOf({ intentCode: ["302", "303"] })).toEqual({
      path: "intentCode",
      message: 'a list is not a value; to match any of several values use {"$in": [...]}',
    });
    expect(issueOf({ intentCode: { $not: ["302"] } }).path).toBe("intentCode.$not");
  });

  it("an empty operator object", () => {
    expect(issueOf({ intentCode: {} })).toEqual({
      path: "intentCode",
      message: "expected a value or an object of operators, got {}",
    });
  });

  it("$in and $nin without a non-empty list of at most 100 values", () => {
    expect(issueOf({ intentCode: { $in: "302" } })).toEqual({
      path: "intentCode.$in",
      message: '$in takes a non-empty array of values, got "302"',
    });
    expect(issueOf({ intentCode: { $nin: [] } })).toEqual({
      path: "intentCode.$nin",
      message: "$nin needs at least one value",
    });
    const items = Array.from({ length: 101 }, (_, i) => String(i));
    expect(issueOf({ intentCode: { $in: items } })).toEqual({
      path: "intentCode.$in",
      message: "$in takes at most 100 values, got 101",
    });
  });

  it("$and and $or without a non-empty list of filters", () => {
    expect(issueOf({ $and: [] })).toEqual({ path: "$and", message: "$and needs at least one filter" });
    expect(issueOf({ $or: { connected: true } })).toEqual({
      path: "$or",
      message: "$or takes a non-empty array of filters, got an object",
    });
    expect(issueOf({ $or: [{ connected: true }, "connected"] })).toEqual({
      path: "$or[1]",
      message: 'a filter must be an object, got "connected"',
    });
    expect(issueOf({ $or: [{ $and: [{}, null] }] }).path).toBe("$or[0].$and[1]");
  });

  it("$not without a filter", () => {
    expect(issueOf({ $not: [{ connected: true }] })).toEqual({
      path: "$not",
      message: "a filter must be an object, got an array",
    });
    expect(issueOf({ $not: true }).path).toBe("$not");
  });

  it("nesting deeper than 8 levels, without walking further", () => {
    const message = "nested too deeply: at most 8 levels of $and, $or and $not";
    expect(issueOf(nested(9, (f) => ({ $not: f })))).toEqual({ path: Array(9).fill("$not").join("."), message });
    expect(issueOf(nested(9, (f) => ({ $and: [f] }))).path).toBe(`${"$and[0].".repeat(8)}$and`);
    expect(issueOf({ callDuration: nested(9, (f) => ({ $not: f }), { $gte: 1 }) }).message).toBe(message);
    expect(
      issueOf(nested(5, (f) => ({ $or: [f] }), { intentCode: nested(4, (f) => ({ $not: f }), "1") })).message,
    ).toBe(message);
    expect(issueOf(nested(10_000, (f) => ({ $or: [f] }))).message).toBe(message);
  });

  it("more than 200 conditions", () => {
    const twoHundredTwo = { $and: Array.from({ length: 100 }, (_, i) => ({ callDuration: i })), connected: true };
    expect(issueOf(twoHundredTwo)).toEqual({
      path: "",
      message: "too many conditions: 202, at most 200 (every field, operator and $and/$or item counts one)",
    });
    expect(
      issueOf({ callDuration: { $gte: 1 }, $or: Array.from({ length: 99 }, () => ({ connected: true })) }).message,
    ).toMatch(/^too many conditions: 201,/);
  });

  it("with every problem, up to 50, the count first", () => {
    const issues = issuesOf({
      connectd: true,
      intentCode: { $in: ["302", 303], $ne: "1" },
      callDuration: "10",
      $or: [{ callStatusLabel: { $gt: null } }, { ringDuration: { $contains: "x" } }],
    });
    expect(issues.map((i) => i.path)).toEqual([
      "connectd",
      "intentCode.$in[1]",
      "intentCode.$ne",
      "callDuration",
      "$or[0].callStatusLabel.$gt",
      "$or[1].ringDuration.$contains",
    ]);
    const many = issuesOf(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field${i}`, i])));
    expect(many).toHaveLength(51);
    expect(many[0]?.message).toMatch(/^too many conditions: 300,/);
    expect(many[1]).toEqual({ path: "field0", message: 'unknown field "field0"' });
  });

  it("never throws, whatever the input, and every issue has a path and a message", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = validateFilter(input);
        if (result.ok) {
          expect(result.filter).toBe(input);
          expect(typeof matchesFilter(result.filter, {})).toBe("boolean");
        } else {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) {
            expect(typeof issue.path).toBe("string");
            expect(issue.message.length).toBeGreaterThan(0);
          }
        }
      }),
    );
  });

  it("anything that is not a filter, in generated filter-like input", () => {
    const key = fc.constantFrom("connected", "intentCode", "callDuration", "$and", "$or", "$not", "$in", "$gt", "nope");
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof(
        { maxDepth: 4 },
        fc.constantFrom(null, true, 1, "302", [], {}),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 3 }),
      ),
    }));
    fc.assert(
      fc.property(node, (input) => {
        const result = validateFilter(input);
        if (result.ok)
          expect(typeof matchesFilter(result.filter, { connected: true, intentCode: "302" })).toBe("boolean");
        else expect(result.issues.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("formatFilterPath", () => {
  it("joins keys with dots and indexes with brackets, quoting keys that are not plain names", () => {
    expect(formatFilterPath([])).toBe("");
    expect(formatFilterPath(["intentCode", "$in", 1])).toBe("intentCode.$in[1]");
    expect(formatFilterPath(["$or", 0, "callDuration"])).toBe("$or[0].callDuration");
    expect(formatFilterPath(["a b", "c.d", ""])).toBe('["a b"]["c.d"][""]');
  });
});

describe("closestName", () => {
  it("suggests only a likely typo", () => {
    const names = ["callDuration", "ringDuration", "connected"];
    expect(closestName("calldurtion", names)).toBe("callDuration");
    expect(closestName("ring_duration", names)).toBe("ringDuration");
    expect(closestName("duration", names)).toBeUndefined();
    expect(closestName("x".repeat(1000), names)).toBeUndefined();
  });
});
