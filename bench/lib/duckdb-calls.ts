import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ROOT } from "./wrangler.ts";

const types: Record<string, string> = { string: "VARCHAR", int64: "BIGINT", bool: "BOOLEAN", timestamp: "BIGINT" };

/**
 * Creates table `name` with the calls stream's columns (basin/calls.schema.json; times as epoch-ms BIGINT, as the rows
 * carry them) and loads NDJSON rows into it by column name: a field a row leaves out is null, as in the Iceberg table.
 */
export async function loadCallRows(db: DuckDBConnection, name: string, ndjsonFile: string): Promise<void> {
  const schema = JSON.parse(await readFile(join(ROOT, "basin/calls.schema.json"), "utf8")) as {
    fields: { name: string; type: string; required: boolean }[];
  };
  const columns = schema.fields.map((f) => `"${f.name}" ${types[f.type] ?? "VARCHAR"}${f.required ? " NOT NULL" : ""}`);
  await db.run(`CREATE TABLE ${name} (${columns.join(", ")})`);
  const json = `{${schema.fields.map((f) => `'${f.name}': '${types[f.type] ?? "VARCHAR"}'`).join(", ")}}`;
  await db.run(
    `INSERT INTO ${name} BY NAME SELECT * FROM read_json('${ndjsonFile}', format = 'newline_delimited', columns = ${json})`,
  );
}
