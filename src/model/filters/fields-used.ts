import type { Filter } from "./validate";

/** The call fields a valid filter names, at any depth of `$and`, `$or` and `$not`. */
export function filterFieldsUsed(filter: Filter): Set<string> {
  const fields = new Set<string>();
  const visit = (f: Filter) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === "$and" || key === "$or") for (const item of value as Filter[]) visit(item);
      else if (key === "$not") visit(value as Filter);
      else fields.add(key);
    }
  };
  visit(filter);
  return fields;
}
