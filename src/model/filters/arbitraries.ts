import fc from "fast-check";
import type { Filter } from "./validate";

type FieldType = "string" | "number" | "boolean";

/** The fields generated filters and records use: one or two of each type, so they often meet. */
export const sampleFields = {
  connected: "boolean",
  intentCode: "string",
  callStatusLabel: "string",
  callDuration: "number",
  answerTime: "number",
} as const satisfies Record<string, FieldType>;

type SampleField = keyof typeof sampleFields;

const domains: Record<FieldType, fc.Arbitrary<string | number | boolean>> = {
  string: fc.constantFrom("", "3", "30", "302", "303", "a", "ab", "b"),
  number: fc.constantFrom(-1, 0, 1, 9, 10, 11, 60),
  boolean: fc.boolean(),
};

/** A value of the field's type, from a small domain so that filters and records often agree. */
export const valueFor = (type: FieldType) => domains[type];

/** A value of the field's type or `null`. */
export const nullableValueFor = (type: FieldType) => fc.option(domains[type], { nil: null, freq: 4 });

function conditionOf(type: FieldType): fc.Arbitrary<unknown> {
  const { condition } = fc.letrec<{ condition: unknown; operators: Record<string, unknown> }>((tie) => {
    const value = nullableValueFor(type);
    const list = fc.array(value, { minLength: 1, maxLength: 4 });
    const operators: Record<string, fc.Arbitrary<unknown>> = {
      $eq: value,
      $neq: value,
      $in: list,
      $nin: list,
      $exist: fc.boolean(),
      $not: tie("condition"),
    };
    if (type !== "boolean") {
      for (const op of ["$gt", "$gte", "$lt", "$lte"]) operators[op] = valueFor(type);
    }
    if (type === "string") {
      for (const op of ["$startsWith", "$endsWith", "$contains"]) operators[op] = valueFor(type);
    }
    return {
      condition: fc.oneof({ maxDepth: 2, depthIdentifier: "condition" }, value, tie("operators")),
      operators: fc
        .subarray(Object.keys(operators), { minLength: 1, maxLength: 3 })
        .chain((ops) => fc.record(Object.fromEntries(ops.map((op) => [op, operators[op] ?? value])))),
    };
  });
  return condition;
}

const fieldConditions = Object.fromEntries(
  Object.entries(sampleFields).map(([field, type]) => [field, conditionOf(type)]),
) as Record<SampleField, fc.Arbitrary<unknown>>;

const someFields = (maxLength: number) =>
  fc
    .subarray(Object.keys(fieldConditions) as SampleField[], { maxLength })
    .chain((fields) => fc.record(Object.fromEntries(fields.map((field) => [field, fieldConditions[field]]))));

function conditionCount(node: unknown): number {
  if (typeof node !== "object" || node === null) return 0;
  let count = 0;
  for (const [key, value] of Object.entries(node)) {
    count += 1;
    if (key === "$in" || key === "$nin") continue;
    if (Array.isArray(value)) for (const item of value) count += 1 + conditionCount(item);
    else count += conditionCount(value);
  }
  return count;
}

const { filter } = fc.letrec<{ filter: Filter }>((tie) => {
  const list = fc.array(tie("filter"), { minLength: 1, maxLength: 3 });
  const composed = fc
    .tuple(
      someFields(1),
      fc.oneof(fc.record({ $and: list }), fc.record({ $or: list }), fc.record({ $not: tie("filter") })),
    )
    .map(([fields, composition]) => ({ ...fields, ...composition }));
  return { filter: fc.oneof({ maxDepth: 3, depthIdentifier: "filter" }, someFields(2), composed) };
});

/**
 * A valid filter over {@link sampleFields}, with fields, operators, `$and`, `$or` and `$not`, a few levels deep
 * and within the size limit (every key and every `$and`/`$or` item counts one).
 */
export const validFilter: fc.Arbitrary<Filter> = filter.filter((f) => conditionCount(f) <= 200);

/** A call record over {@link sampleFields}: any field may be `null` or missing. */
export const sampleCall: fc.Arbitrary<Record<string, unknown>> = fc.record(
  Object.fromEntries(Object.entries(sampleFields).map(([field, type]) => [field, nullableValueFor(type)])),
  { requiredKeys: [] },
);
