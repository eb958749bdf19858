import { type Filter, validateFilter } from "./validate";

/** Whether a call passes a filter, and if not, the first condition that failed with the call's value. */
export type Explanation = { matched: true } | { matched: false; reason: string };

const show = (value: unknown) => JSON.stringify(value) ?? "null";
const pass: Explanation = { matched: true };
const fail = (reason: string): Explanation => ({ matched: false, reason });

const comparisons: Record<string, [string, (v: number | string, x: number | string) => boolean]> = {
  $gt: [">", (v, x) => v > x],
  $gte: [">=", (v, x) => v >= x],
  $lt: ["<", (v, x) => v < x],
  $lte: ["<=", (v, x) => v <= x],
};

const textTests: Record<string, [string, (v: string, x: string) => boolean]> = {
  $startsWith: ["does not start with", (v, x) => v.startsWith(x)],
  $endsWith: ["does not end with", (v, x) => v.endsWith(x)],
  $contains: ["does not contain", (v, x) => v.includes(x)],
};

function explainOperator(field: string, op: string, x: unknown, v: unknown): Explanation {
  const at = `${field}: ${show(v)}`;
  const comparison = comparisons[op];
  if (comparison) {
    const [symbol, test] = comparison;
    const sameType = typeof v === typeof x && (typeof v === "number" || typeof v === "string");
    return sameType && test(v as number | string, x as number | string)
      ? pass
      : fail(`${at} is not ${symbol} ${show(x)}`);
  }
  const text = textTests[op];
  if (text) {
    const [words, test] = text;
    return typeof v === "string" && test(v, x as string) ? pass : fail(`${at} ${words} ${show(x)}`);
  }
  switch (op) {
    case "$eq":
      return v === x ? pass : fail(`${at} is not ${show(x)}`);
    case "$neq":
      return v !== x ? pass : fail(`${at} is ${show(x)}`);
    case "$in":
      return (x as unknown[]).includes(v) ? pass : fail(`${at} is not in ${show(x)}`);
    case "$nin":
      return (x as unknown[]).includes(v) ? fail(`${at} is in ${show(x)}`) : pass;
    case "$exist":
      if (x === true) return v !== null ? pass : fail(`${field} is missing`);
      return v === null ? pass : fail(`${at} exists`);
    case "$not":
      return explainCondition(field, x, v).matched ? fail(`${at} matches ${show(x)}, which $not excludes`) : pass;
    default:
      return fail(`${field}: unknown operator ${op}`);
  }
}

function explainCondition(field: string, condition: unknown, v: unknown): Explanation {
  if (typeof condition !== "object" || condition === null) {
    return v === condition ? pass : fail(`${field}: ${show(v)} is not ${show(condition)}`);
  }
  for (const [op, x] of Object.entries(condition)) {
    const result = explainOperator(field, op, x, v);
    if (!result.matched) return result;
  }
  return pass;
}

function explainValid(filter: Filter, call: Record<string, unknown>): Explanation {
  for (const [key, value] of Object.entries(filter)) {
    let result: Explanation;
    if (key === "$and") {
      result = pass;
      for (const sub of value as Filter[]) {
        result = explainValid(sub, call);
        if (!result.matched) break;
      }
    } else if (key === "$or") {
      const reasons: string[] = [];
      result = fail("");
      for (const sub of value as Filter[]) {
        const r = explainValid(sub, call);
        if (r.matched) {
          result = pass;
          break;
        }
        reasons.push(r.reason);
      }
      if (!result.matched) result = fail(`none of $or matched: ${reasons.join("; ")}`);
    } else if (key === "$not") {
      result = explainValid(value as Filter, call).matched
        ? fail(`the call matches ${show(value)}, which $not excludes`)
        : pass;
    } else {
      result = explainCondition(key, value, call[key] === undefined ? null : call[key]);
    }
    if (!result.matched) return result;
  }
  return pass;
}

/**
 * Why `call` does (not) pass `filter`: agrees with {@link matchesFilter} on every input, and when it fails, names
 * the first failing condition in the filter's order with the call's value, e.g. `intentCode: "401" is not in
 * ["302","303"]`.
 */
export function explainFilter(filter: Filter, call: Record<string, unknown>): Explanation {
  if (typeof filter !== "object" || filter === null || !validateFilter(filter).ok) {
    return fail("the filter is not valid, so it matches nothing");
  }
  return explainValid(filter, call);
}
