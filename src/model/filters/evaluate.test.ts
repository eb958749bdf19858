import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NormalizedCall } from "../calls/fields";
import { nullableValueFor, sampleCall, sampleFields, validFilter } from "./arbitraries";
import { matchesFilter } from "./evaluate";
import type { Filter } from "./validate";

const connectedCall: NormalizedCall = {
  voiceId: "260326152224160100152",
  type: 1,
  callee: "2222222228613200000007",
  displayNum: "5034040",
  submitTime: 1774509744963,
  callTime: 1774509747000,
  ringingTime: 1774509747000,
  answerTime: 1774509748000,
  hangupTime: 1774509783000,
  billPeriod: "60-60",
  code: null,
  recordingFileId: "260326152224160100152.wav",
  recordingFileUrl: null,
  ringDuration: 1,
  callDuration: 35,
  chargedDuration: 60,
  currency: null,
  quoteExchange: null,
  rate: "0",
  cost: "0",
  costEur: "0",
  settleRate: null,
  settlePay: null,
  aiAgentChargedDuration: 60,
  aiAgentBillPeriod: "60+60",
  aiAgentRate: null,
  aiAgentFee: null,
  aiAgentQuoteRate: "0.1",
  aiAgentQuoteFee: "0.1",
  terminationCode: "0",
  terminationReason: "Called hang up",
  sipCode: "200",
  calledInfo: null,
  scriptId: 63,
  intent: "Connected-Customer No Responsern",
  intentCode: "302",
  taskId: 5034040,
  sourceTaskId: null,
  callStatus: 50,
  callStatusNew: 1,
  callDescription: 1,
  connected: true,
  callStatusLabel: "connected",
  callDescriptionLabel: "valid_call",
  sourceId: "src_main",
  receivedAt: 1774509790000,
};

const unansweredCall: NormalizedCall = {
  ...connectedCall,
  voiceId: "260326152224160100153",
  answerTime: null,
  hangupTime: 1774509760000,
  callDuration: 0,
  chargedDuration: 0,
  intent: null,
  intentCode: null,
  callStatusNew: 3,
  callDescription: 8,
  connected: false,
  callStatusLabel: "not_connected",
  callDescriptionLabel: "no_answer",
};

const customerFilter = { connected: true, intentCode: { $in: ["302", "303"] }, callDuration: { $gte: 10 } };

/** `filter` on records that differ from `connectedCall` only in `field`, one per value. */
function outcomes(filter: Filter, field: keyof NormalizedCall, values: unknown[]): boolean[] {
  return values.map((value) => matchesFilter(filter, { ...connectedCall, [field]: value }));
}

describe("the customer's filter", () => {
  it("forwards a connected call with intent 302 or 303 lasting at least 10 s", () => {
    expect(matchesFilter(customerFilter, connectedCall)).toBe(true);
    expect(matchesFilter(customerFilter, { ...connectedCall, intentCode: "303", callDuration: 10 })).toBe(true);
  });

  it("drops a call failing any one of its conditions", () => {
    expect(matchesFilter(customerFilter, unansweredCall)).toBe(false);
    expect(matchesFilter(customerFilter, { ...connectedCall, connected: false })).toBe(false);
    expect(matchesFilter(customerFilter, { ...connectedCall, intentCode: "301" })).toBe(false);
    expect(matchesFilter(customerFilter, { ...connectedCall, intentCode: null })).toBe(false);
    expect(matchesFilter(customerFilter, { ...connectedCall, callDuration: 9 })).toBe(false);
    expect(matchesFilter(customerFilter, { ...connectedCall, callDuration: null })).toBe(false);
  });
});

describe("plain values", () => {
  it("match equal values of the same type only", () => {
    expect(outcomes({ intentCode: "302" }, "intentCode", ["302", "3020", "", null, 302])).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(outcomes({ callDuration: 35 }, "callDuration", [35, 36, "35", null])).toEqual([true, false, false, false]);
    expect(outcomes({ connected: false }, "connected", [false, true, null, 0])).toEqual([true, false, false, false]);
  });

  it("match null against null and missing fields", () => {
    expect(outcomes({ intentCode: null }, "intentCode", [null, undefined, "", "302"])).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const { intentCode: _, ...withoutIntent } = connectedCall;
    expect(matchesFilter({ intentCode: null }, withoutIntent)).toBe(true);
  });

  it("must all hold", () => {
    expect(matchesFilter({ intentCode: "302", callStatusLabel: "connected" }, connectedCall)).toBe(true);
    expect(matchesFilter({ intentCode: "302", callStatusLabel: "not_connected" }, connectedCall)).toBe(false);
  });
});

describe("operators", () => {
  it("$eq and $neq compare with the field's value, null included", () => {
    expect(outcomes({ intentCode: { $eq: "302" } }, "intentCode", ["302", "303", null])).toEqual([true, false, false]);
    expect(outcomes({ intentCode: { $eq: null } }, "intentCode", ["302", null])).toEqual([false, true]);
    expect(outcomes({ intentCode: { $neq: "302" } }, "intentCode", ["302", "303", null])).toEqual([false, true, true]);
    expect(outcomes({ intentCode: { $neq: null } }, "intentCode", ["302", null])).toEqual([true, false]);
    expect(outcomes({ connected: { $neq: true } }, "connected", [true, false])).toEqual([false, true]);
  });

  it("$in and $nin look the value up in a list, null included", () => {
    const values = ["302", "303", "304", null];
    expect(outcomes({ intentCode: { $in: ["302", "303"] } }, "intentCode", values)).toEqual([true, true, false, false]);
    expect(outcomes({ intentCode: { $in: ["302", null] } }, "intentCode", values)).toEqual([true, false, false, true]);
    expect(outcomes({ intentCode: { $nin: ["302", "303"] } }, "intentCode", values)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(outcomes({ intentCode: { $nin: ["302", null] } }, "intentCode", values)).toEqual([false, true, true, false]);
    expect(outcomes({ callDuration: { $in: [0, 35] } }, "callDuration", [0, 35, 36, "35"])).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("$gt, $gte, $lt and $lte compare numbers", () => {
    const values = [9, 10, 11, null];
    expect(outcomes({ callDuration: { $gt: 10 } }, "callDuration", values)).toEqual([false, false, true, false]);
    expect(outcomes({ callDuration: { $gte: 10 } }, "callDuration", values)).toEqual([false, true, true, false]);
    expect(outcomes({ callDuration: { $lt: 10 } }, "callDuration", values)).toEqual([true, false, false, false]);
    expect(outcomes({ callDuration: { $lte: 10 } }, "callDuration", values)).toEqual([true, true, false, false]);
    expect(outcomes({ callDuration: { $lt: 1 } }, "callDuration", [0, -5, null])).toEqual([true, true, false]);
  });

  it("$gt, $gte, $lt and $lte compare strings by code unit", () => {
    const values = ["301", "302", "303", "4", "30", null];
    expect(outcomes({ intentCode: { $gt: "302" } }, "intentCode", values)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(outcomes({ intentCode: { $gte: "302" } }, "intentCode", values)).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(outcomes({ intentCode: { $lt: "302" } }, "intentCode", values)).toEqual([
      true,
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(outcomes({ intentCode: { $lte: "302" } }, "intentCode", values)).toEqual([
      true,
      true,
      false,
      false,
      true,
      false,
    ]);
    expect(outcomes({ intentCode: { $gte: "" } }, "intentCode", ["", "a", null])).toEqual([true, true, false]);
  });

  it("combine into ranges", () => {
    const filter = { answerTime: { $gte: 1774509748000, $lt: 1774509749000 } };
    expect(outcomes(filter, "answerTime", [1774509747999, 1774509748000, 1774509748999, 1774509749000, null])).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it("$exist tells null and missing from present", () => {
    const values = ["302", "", null, undefined];
    expect(outcomes({ intentCode: { $exist: true } }, "intentCode", values)).toEqual([true, true, false, false]);
    expect(outcomes({ intentCode: { $exist: false } }, "intentCode", values)).toEqual([false, false, true, true]);
    expect(outcomes({ callDuration: { $exist: true } }, "callDuration", [0, null])).toEqual([true, false]);
  });

  it("$startsWith, $endsWith and $contains match parts of strings, case-sensitively", () => {
    const values = ["connected", "connected_abnormal", "not_connected", "Connected", null];
    expect(outcomes({ callStatusLabel: { $startsWith: "connected" } }, "callStatusLabel", values)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(outcomes({ callStatusLabel: { $endsWith: "connected" } }, "callStatusLabel", values)).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(outcomes({ callStatusLabel: { $contains: "connected" } }, "callStatusLabel", values)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(outcomes({ callStatusLabel: { $contains: "" } }, "callStatusLabel", ["", "x", null])).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("$not negates a value or an operator object, so it matches null", () => {
    expect(outcomes({ intentCode: { $not: "302" } }, "intentCode", ["302", "303", null])).toEqual([false, true, true]);
    expect(outcomes({ intentCode: { $not: { $in: ["302", "303"] } } }, "intentCode", ["302", "304", null])).toEqual([
      false,
      true,
      true,
    ]);
    expect(outcomes({ callDuration: { $not: { $gte: 10 } } }, "callDuration", [9, 10, null])).toEqual([
      true,
      false,
      true,
    ]);
    expect(outcomes({ callDuration: { $not: { $not: { $gte: 10 } } } }, "callDuration", [9, 10, null])).toEqual([
      false,
      true,
      false,
    ]);
  });

  it("all hold when several share a field", () => {
    const filter = { intentCode: { $exist: true, $nin: ["301"], $startsWith: "30" } };
    expect(outcomes(filter, "intentCode", ["302", "301", "402", null])).toEqual([true, false, false, false]);
  });
});

describe("composition", () => {
  it("{} matches every call", () => {
    expect(matchesFilter({}, connectedCall)).toBe(true);
    expect(matchesFilter({}, unansweredCall)).toBe(true);
    expect(matchesFilter({}, {})).toBe(true);
  });

  it("$and needs every filter to match", () => {
    const filter = { $and: [{ connected: true }, { callDuration: { $gte: 30 } }] };
    expect(matchesFilter(filter, connectedCall)).toBe(true);
    expect(matchesFilter(filter, { ...connectedCall, callDuration: 29 })).toBe(false);
    expect(matchesFilter(filter, unansweredCall)).toBe(false);
  });

  it("$or needs one filter to match", () => {
    const filter = { $or: [{ intentCode: "302" }, { callDescriptionLabel: "voicemail" }] };
    expect(matchesFilter(filter, connectedCall)).toBe(true);
    expect(matchesFilter(filter, { ...unansweredCall, callDescriptionLabel: "voicemail" })).toBe(true);
    expect(matchesFilter(filter, unansweredCall)).toBe(false);
  });

  it("$not inverts a filter", () => {
    expect(matchesFilter({ $not: { connected: true } }, connectedCall)).toBe(false);
    expect(matchesFilter({ $not: { connected: true } }, unansweredCall)).toBe(true);
    expect(matchesFilter({ $not: {} }, connectedCall)).toBe(false);
  });

  it("combines with fields beside it and nests", () => {
    const filter = {
      sourceId: "src_main",
      $or: [
        { connected: true, $not: { intentCode: { $in: ["301"] } } },
        { $and: [{ callStatusLabel: "not_connected" }] },
      ],
    };
    expect(matchesFilter(filter, connectedCall)).toBe(true);
    expect(matchesFilter(filter, unansweredCall)).toBe(true);
    expect(matchesFilter(filter, { ...connectedCall, intentCode: "301" })).toBe(false);
    expect(matchesFilter(filter, { ...connectedCall, sourceId: "src_other" })).toBe(false);
  });
});

describe("filters that are not valid", () => {
  it("match nothing", () => {
    const invalid: unknown[] = [
      { connectd: true },
      { callDuration: "35" },
      { intentCode: ["302"] },
      { intentCode: { $regex: "30." } },
      { $or: [] },
      { $not: { callDuration: { $startsWith: "3" } } },
      null,
      [],
      "connected",
    ];
    for (const filter of invalid) {
      expect(matchesFilter(filter as Filter, connectedCall), JSON.stringify(filter)).toBe(false);
      expect(matchesFilter(filter as Filter, {}), JSON.stringify(filter)).toBe(false);
    }
  });

  it("never throw, whatever the filter and call", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (filter, call) => {
        expect(typeof matchesFilter(filter as Filter, call)).toBe("boolean");
      }),
    );
  });
});

describe("matchesFilter", () => {
  it("gives the same answer when a filter object is used again", () => {
    const filter = { callDuration: { $gte: 10 } };
    const answers = [connectedCall, unansweredCall, connectedCall, unansweredCall].map((c) => matchesFilter(filter, c));
    expect(answers).toEqual([true, false, true, false]);
    expect(matchesFilter(structuredClone(filter), connectedCall)).toBe(true);
  });
});

function reference(filter: Filter, call: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, value]) => {
    if (key === "$and") return (value as Filter[]).every((f) => reference(f, call));
    if (key === "$or") return (value as Filter[]).some((f) => reference(f, call));
    if (key === "$not") return !reference(value as Filter, call);
    return holds(value, call[key] ?? null);
  });
}

function holds(condition: unknown, value: unknown): boolean {
  if (typeof condition !== "object" || condition === null) return value === condition;
  return Object.entries(condition).every(([op, x]) => {
    const comparable = value !== null && typeof value === typeof x;
    switch (op) {
      case "$eq":
        return value === x;
      case "$neq":
        return value !== x;
      case "$in":
        return (x as unknown[]).includes(value);
      case "$nin":
        return !(x as unknown[]).includes(value);
      case "$gt":
        return comparable && (value as number) > (x as number);
      case "$gte":
        return comparable && (value as number) >= (x as number);
      case "$lt":
        return comparable && (value as number) < (x as number);
      case "$lte":
        return comparable && (value as number) <= (x as number);
      case "$exist":
        return (value !== null) === x;
      case "$startsWith":
        return typeof value === "string" && value.startsWith(x as string);
      case "$endsWith":
        return typeof value === "string" && value.endsWith(x as string);
      case "$contains":
        return typeof value === "string" && value.includes(x as string);
      case "$not":
        return !holds(x, value);
      default:
        throw new Error(`reference: unexpected operator ${op}`);
    }
  });
}

describe("properties", () => {
  const fields = Object.entries(sampleFields) as [keyof typeof sampleFields, "string" | "number" | "boolean"][];
  const fieldAndValue = fc
    .constantFrom(...fields)
    .chain(([field, type]) => fc.tuple(fc.constant(field), nullableValueFor(type)));

  it("generated filters and calls both match and miss, so the properties below say something", () => {
    const pairs = fc.sample(fc.tuple(validFilter, sampleCall), { numRuns: 500, seed: 1 });
    const matched = pairs.filter(([f, c]) => matchesFilter(f, c)).length;
    expect(matched).toBeGreaterThan(50);
    expect(matched).toBeLessThan(450);
  });

  it("agrees with a naive interpreter", () => {
    fc.assert(
      fc.property(validFilter, sampleCall, (filter, call) => {
        expect(matchesFilter(filter, call)).toBe(reference(filter, call));
      }),
      { numRuns: 1000 },
    );
  });

  it("{} matches any call", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (call) => {
        expect(matchesFilter({}, call)).toBe(true);
      }),
    );
  });

  it("{$not: f} matches exactly when f does not", () => {
    fc.assert(
      fc.property(validFilter, sampleCall, (filter, call) => {
        expect(matchesFilter({ $not: filter }, call)).toBe(!matchesFilter(filter, call));
      }),
    );
  });

  it("{$and: [f]} and {$or: [f]} are f", () => {
    fc.assert(
      fc.property(validFilter, sampleCall, (filter, call) => {
        const expected = matchesFilter(filter, call);
        expect(matchesFilter({ $and: [filter] }, call)).toBe(expected);
        expect(matchesFilter({ $or: [filter] }, call)).toBe(expected);
      }),
    );
  });

  it("$and is both, $or is either", () => {
    fc.assert(
      fc.property(validFilter, validFilter, sampleCall, (f, g, call) => {
        const [a, b] = [matchesFilter(f, call), matchesFilter(g, call)];
        expect(matchesFilter({ $and: [f, g] }, call)).toBe(a && b);
        expect(matchesFilter({ $or: [f, g] }, call)).toBe(a || b);
      }),
    );
  });

  it("$in: [v] is equality with v, and $nin: [v], $neq: v and $not: v are its negation", () => {
    fc.assert(
      fc.property(fieldAndValue, sampleCall, ([field, v], call) => {
        const equal = matchesFilter({ [field]: v }, call);
        expect(equal).toBe((call[field] ?? null) === v);
        expect(matchesFilter({ [field]: { $eq: v } }, call)).toBe(equal);
        expect(matchesFilter({ [field]: { $in: [v] } }, call)).toBe(equal);
        expect(matchesFilter({ [field]: { $nin: [v] } }, call)).toBe(!equal);
        expect(matchesFilter({ [field]: { $neq: v } }, call)).toBe(!equal);
        expect(matchesFilter({ [field]: { $not: v } }, call)).toBe(!equal);
      }),
    );
  });

  it("$exist: true is $neq: null", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields.map(([field]) => field)), sampleCall, (field, call) => {
        const present = call[field] !== undefined && call[field] !== null;
        expect(matchesFilter({ [field]: { $exist: true } }, call)).toBe(present);
        expect(matchesFilter({ [field]: { $neq: null } }, call)).toBe(present);
        expect(matchesFilter({ [field]: { $exist: false } }, call)).toBe(!present);
      }),
    );
  });
});
