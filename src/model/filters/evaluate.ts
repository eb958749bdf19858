import { type Filter, validateFilter } from "./validate";

type Test<T> = (subject: T) => boolean;
type CallTest = Test<Record<string, unknown>>;
type ValueTest = Test<unknown>;

const always = () => true;
const never = () => false;
const compiled = new WeakMap<object, CallTest>();

function all<T>(tests: Test<T>[]): Test<T> {
  const [first] = tests;
  if (first === undefined) return always;
  if (tests.length === 1) return first;
  return (subject) => {
    for (const test of tests) if (!test(subject)) return false;
    return true;
  };
}

function any<T>(tests: Test<T>[]): Test<T> {
  const [first] = tests;
  if (tests.length === 1 && first !== undefined) return first;
  return (subject) => {
    for (const test of tests) if (test(subject)) return true;
    return false;
  };
}

function not<T>(test: Test<T>): Test<T> {
  return (subject) => !test(subject);
}

function operatorTest(op: string, x: unknown): ValueTest {
  switch (op) {
    case "$eq":
      return (v) => v === x;
    case "$neq":
      return (v) => v !== x;
    case "$in": {
      const set = new Set(x as unknown[]);
      return (v) => set.has(v);
    }
    case "$nin": {
      const set = new Set(x as unknown[]);
      return (v) => !set.has(v);
    }
    case "$gt":
      return typeof x === "number"
        ? (v) => typeof v === "number" && v > x
        : (v) => typeof v === "string" && v > (x as string);
    case "$gte":
      return typeof x === "number"
        ? (v) => typeof v === "number" && v >= x
        : (v) => typeof v === "string" && v >= (x as string);
    case "$lt":
      return typeof x === "number"
        ? (v) => typeof v === "number" && v < x
        : (v) => typeof v === "string" && v < (x as string);
    case "$lte":
      return typeof x === "number"
        ? (v) => typeof v === "number" && v <= x
        : (v) => typeof v === "string" && v <= (x as string);
    case "$exist":
      return x === true ? (v) => v !== null : (v) => v === null;
    case "$startsWith":
      return (v) => typeof v === "string" && v.startsWith(x as string);
    case "$endsWith":
      return (v) => typeof v === "string" && v.endsWith(x as string);
    case "$contains":
      return (v) => typeof v === "string" && v.includes(x as string);
    case "$not":
      return not(conditionTest(x));
    default:
      return never;
  }
}

function conditionTest(condition: unknown): ValueTest {
  if (typeof condition !== "object" || condition === null) return (v) => v === condition;
  return all(Object.entries(condition).map(([op, x]) => operatorTest(op, x)));
}

function fieldTest(field: string, test: ValueTest): CallTest {
  return (call) => {
    const v = call[field];
    return test(v === undefined ? null : v);
  };
}

function filterTest(filter: Filter): CallTest {
  const tests: CallTest[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and") tests.push(all((value as Filter[]).map(filterTest)));
    else if (key === "$or") tests.push(any((value as Filter[]).map(filterTest)));
    else if (key === "$not") tests.push(not(filterTest(value as Filter)));
    else tests.push(fieldTest(key, conditionTest(value)));
  }
  return all(tests);
}

/**
 * Whether `call` passes `filter`. A field missing from `call` counts as `null`. A filter that does not pass
 * {@link validateFilter} matches nothing. Each filter object is checked and compiled once, on first use, and
 * cached by identity: do not mutate a filter after matching with it.
 */
export function matchesFilter(filter: Filter, call: Record<string, unknown>): boolean {
  if (typeof filter !== "object" || filter === null) return false;
  let test = compiled.get(filter);
  if (test === undefined) {
    test = validateFilter(filter).ok ? filterTest(filter) : never;
    compiled.set(filter, test);
  }
  return test(call);
}
