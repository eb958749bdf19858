import { closestName } from "../../lib/closest-name";
import { normalizedFieldTypes } from "../calls/fields";

/** A validated filter: plain JSON over the fields of a normalized call (see {@link validateFilter}). */
export type Filter = { [key: string]: unknown };

/** One problem in a filter: where (`"intentCode.$in[1]"`, `"$or[0].callDuration"`, `""` for the whole) and what. */
export interface FilterIssue {
  path: string;
  message: string;
}

/** A {@link FilterIssue} whose path is still a list of segments: object keys and array indexes. */
export interface FilterProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What keeps a filter cheap: at most `depth` nested `$and`/`$or`/`$not`, `conditions` in all (every field,
 * operator and `$and`/`$or` item counts one) and `listItems` values in an `$in`/`$nin`.
 */
export const filterLimits = { depth: 8, conditions: 200, listItems: 100 } as const;

type FieldType = "string" | "number" | "boolean";
type Path = readonly (string | number)[];

const MAX_PROBLEMS = 50;
const fieldNames = Object.keys(normalizedFieldTypes);
const combinators = ["$and", "$or", "$not"];
/** The operators a field's condition may use (the console's filter builder offers them). */
export const operators = [
  "$eq",
  "$neq",
  "$in",
  "$nin",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$exist",
  "$startsWith",
  "$endsWith",
  "$contains",
  "$not",
];

function isPlainObject(v: unknown): v is Filter {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && v !== null) return isPlainObject(v) && Object.keys(v).length === 0 ? "{}" : "an object";
  if (typeof v === "function") return "a function";
  if (typeof v === "string") {
    const text = JSON.stringify(v);
    return text.length > 40 ? `${text.slice(0, 36)}..."` : text;
  }
  return String(v);
}

function fieldTypeOf(name: string): FieldType | undefined {
  return Object.hasOwn(normalizedFieldTypes, name)
    ? normalizedFieldTypes[name as keyof typeof normalizedFieldTypes]
    : undefined;
}

function didYouMean(name: string, candidates: readonly string[]): string {
  const near = closestName(name, candidates);
  return near === undefined ? "" : `; did you mean "${near}"?`;
}

function topLevelOperatorMessage(key: string): string {
  if (operators.includes(key)) {
    return `${key} goes inside a field's condition, e.g. {"intentCode": {"${key}": ...}}; at the top level only $and, $or and $not are allowed`;
  }
  const hint = didYouMean(key, combinators);
  return `unknown operator ${describe(key)}${hint || "; at the top level only $and, $or and $not are allowed"}`;
}

function listProblem(op: string, list: unknown, items: "filters" | "values"): string | undefined {
  if (!Array.isArray(list)) return `${op} takes a non-empty array of ${items}, got ${describe(list)}`;
  if (list.length === 0) return `${op} needs at least one ${items.slice(0, -1)}`;
  if (items === "values" && list.length > filterLimits.listItems) {
    return `${op} takes at most ${filterLimits.listItems} values, got ${list.length}`;
  }
  return undefined;
}

function fieldOperatorMessage(key: string): string {
  if (key === "$and" || key === "$or") {
    return `${key} combines whole filters and cannot be used inside a field, e.g. {"${key}": [{"intentCode": "302"}, {"callDuration": {"$gte": 10}}]}`;
  }
  if (!key.startsWith("$")) {
    return `unknown operator ${describe(key)}: operators start with "$" (call fields hold single values, not objects)`;
  }
  return `unknown operator ${describe(key)}${didYouMean(key, operators)}`;
}

class Checker {
  readonly problems: FilterProblem[] = [];
  conditions = 0;

  report(path: Path, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ path: [...path], message });
  }

  nest(path: Path, depth: number): boolean {
    if (depth < filterLimits.depth) return true;
    this.report(path, `nested too deeply: at most ${filterLimits.depth} levels of $and, $or and $not`);
    return false;
  }

  filter(value: unknown, path: Path, depth: number): void {
    if (!isPlainObject(value)) {
      this.report(path, `a filter must be an object, got ${describe(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      this.conditions++;
      const at = [...path, key];
      if (key === "$and" || key === "$or") this.filters(key, item, at, depth);
      else if (key === "$not") {
        if (this.nest(at, depth)) this.filter(item, at, depth + 1);
      } else if (key.startsWith("$")) this.report(at, topLevelOperatorMessage(key));
      else {
        const type = fieldTypeOf(key);
        if (type === undefined) this.report(at, `unknown field ${describe(key)}${didYouMean(key, fieldNames)}`);
        else this.condition(key, type, item, at, depth);
      }
    }
  }

  filters(key: string, items: unknown, path: Path, depth: number): void {
    const problem = listProblem(key, items, "filters");
    if (problem !== undefined) this.report(path, problem);
    else if (Array.isArray(items) && this.nest(path, depth)) {
      items.forEach((item, i) => {
        this.conditions++;
        this.filter(item, [...path, i], depth + 1);
      });
    }
  }

  condition(field: string, type: FieldType, value: unknown, path: Path, depth: number): void {
    if (Array.isArray(value)) {
      this.report(path, `a list is not a value; to match any of several values use {"$in": [...]}`);
    } else if (!isPlainObject(value)) {
      this.value(field, type, value, path, true);
    } else if (Object.keys(value).length === 0) {
      this.report(path, "expected a value or an object of operators, got {}");
    } else {
      for (const [op, operand] of Object.entries(value)) {
        this.conditions++;
        this.operator(field, type, op, operand, [...path, op], depth);
      }
    }
  }

  operator(field: string, type: FieldType, op: string, operand: unknown, path: Path, depth: number): void {
    switch (op) {
      case "$eq":
      case "$neq":
        this.value(field, type, operand, path, true);
        break;
      case "$in":
      case "$nin": {
        const problem = listProblem(op, operand, "values");
        if (problem !== undefined) this.report(path, problem);
        else if (Array.isArray(operand)) {
          for (let i = 0; i < operand.length; i++) this.value(field, type, operand[i], [...path, i], true);
        }
        break;
      }
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        if (type === "boolean") this.report(path, `${op} compares numbers or strings; ${field} is a boolean field`);
        else this.value(field, type, operand, path, false);
        break;
      case "$startsWith":
      case "$endsWith":
      case "$contains":
        if (type !== "string") this.report(path, `${op} applies only to string fields; ${field} is a ${type} field`);
        else this.value(field, type, operand, path, false);
        break;
      case "$exist":
        if (typeof operand !== "boolean") this.report(path, `expected true or false, got ${describe(operand)}`);
        break;
      case "$not":
        if (this.nest(path, depth)) this.condition(field, type, operand, path, depth + 1);
        break;
      default:
        this.report(path, fieldOperatorMessage(op));
    }
  }

  value(field: string, type: FieldType, v: unknown, path: Path, nullable: boolean): void {
    if (v === null ? nullable : typeof v === type && (type !== "number" || Number.isFinite(v))) return;
    const expected = type === "boolean" ? (nullable ? "true, false" : "true or false") : `a ${type}`;
    this.report(
      path,
      `expected ${expected}${nullable ? " or null" : ""} (${field} is a ${type} field), got ${describe(v)}`,
    );
  }
}

/** Renders a path as `intentCode.$in[1]`; keys that are not plain names are quoted: `["a b"]`. */
export function formatFilterPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[$A-Za-z_][$\w]*$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Every problem in `input` as a filter (none when it is valid), paths as segments; never throws on JSON input. */
export function findFilterProblems(input: unknown): FilterProblem[] {
  const checker = new Checker();
  checker.filter(input, [], 0);
  if (checker.conditions > filterLimits.conditions) {
    checker.problems.unshift({
      path: [],
      message: `too many conditions: ${checker.conditions}, at most ${filterLimits.conditions} (every field, operator and $and/$or item counts one)`,
    });
  }
  return checker.problems;
}

/**
 * Checks a filter before it is saved: every field must exist, every operator be known and every value be of a
 * type that can match its field, within {@link filterLimits}. On success, `filter` is `input` itself.
 */
export function validateFilter(input: unknown): { ok: true; filter: Filter } | { ok: false; issues: FilterIssue[] } {
  const problems = findFilterProblems(input);
  if (problems.length === 0) return { ok: true, filter: input as Filter };
  return { ok: false, issues: problems.map((p) => ({ path: formatFilterPath(p.path), message: p.message })) };
}
