import schemaFile from "../../basin/calls.schema.json";

/**
 * Why a row would not match `basin/calls.schema.json` as a Basin stream reads it (a missing field is null), or null.
 * Written from the file alone, so it checks the Worker's own check.
 */
export function schemaFileProblem(row: Record<string, unknown>): string | null {
  const problems: string[] = [];
  const fields = new Map(schemaFile.fields.map((f) => [f.name, f]));
  for (const name of Object.keys(row)) if (!fields.has(name)) problems.push(`${name}: not in the schema`);
  for (const field of schemaFile.fields) {
    const v = row[field.name];
    if (v === null || v === undefined) {
      if (field.required) problems.push(`${field.name}: required`);
      continue;
    }
    const ok =
      field.type === "string"
        ? typeof v === "string"
        : field.type === "bool"
          ? typeof v === "boolean"
          : Number.isSafeInteger(v) && (field.type !== "timestamp" || (v as number) >= 0);
    if (!ok) problems.push(`${field.name}: not a ${field.type}`);
  }
  return problems.length === 0 ? null : problems.join("; ");
}
