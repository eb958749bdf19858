import { getTableColumns, getTableName, is, type Query, SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";

/** D1 rejects a statement with more bound parameters than this (local D1 does not). */
export const MAX_BOUND_PARAMS = 100;

/**
 * Largest JSON text bound to one statement. D1 caps a string value at 1 MB; a UTF-16 unit is at most
 * three UTF-8 bytes, so 300k units stay under it whatever the text.
 */
export const MAX_JSON_PARAM_CHARS = 300_000;

/** Thrown before a statement that D1 would reject reaches it. */
export class BoundParamLimitError extends Error {
  constructor(readonly params: number) {
    super(`statement binds ${params} parameters; D1 allows ${MAX_BOUND_PARAMS}`);
    this.name = "BoundParamLimitError";
  }
}

const dialect = new SQLiteAsyncDialect();

/** A statement for {@link runBatch}: a Drizzle query builder or a `sql` template. */
export type Statement = SQL | { toSQL(): Query };

function toQuery(statement: Statement): Query {
  return is(statement, SQL) ? dialect.sqlToQuery(statement) : statement.toSQL();
}

/** Throws unless the query binds at most {@link MAX_BOUND_PARAMS} parameters. */
export function assertParamLimit(query: Query): void {
  if (query.params.length > MAX_BOUND_PARAMS) throw new BoundParamLimitError(query.params.length);
}

/**
 * Runs statements as one atomic D1 batch, after checking each against D1's bound-parameter limit.
 * Results are D1's own, so `RETURNING` rows are in `results`.
 */
export async function runBatch(d1: D1Database, statements: readonly Statement[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  const queries = statements.map(toQuery);
  for (const q of queries) assertParamLimit(q);
  return d1.batch(queries.map((q) => d1.prepare(q.sql).bind(...q.params)));
}

/** Splits JSON-serialisable rows into arrays whose JSON text stays under `maxChars`. */
export function chunkJsonRows<R>(rows: readonly R[], maxChars = MAX_JSON_PARAM_CHARS): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (parts.length > 0 && size + text.length + 1 > maxChars) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(text);
    size += text.length + 1;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}

type OnConflict<T extends SQLiteTable> =
  | { doNothing: true }
  | { target: (keyof T["$inferInsert"] & string)[]; update: "all" };

/**
 * Builds `INSERT … SELECT … FROM json_each(?)` statements: any number of rows in one statement with one
 * bound parameter, chunked under D1's value-size limit. Row keys are the table's TypeScript field names; every
 * row has the first row's keys. Rows travel as JSON arrays (values by position), shorter and quicker to write
 * than objects. `shared`: values every row has, bound once per statement (they override the rows' own).
 * `where`: a condition on the whole statement (rows are inserted only when it holds).
 */
export function insertJsonRows<T extends SQLiteTable>(
  table: T,
  rows: readonly Partial<T["$inferInsert"]>[],
  onConflict: OnConflict<T>,
  returning?: keyof T["$inferInsert"] & string,
  shared: Partial<T["$inferInsert"]> = {},
  where: SQL = sql`true`,
): SQL[] {
  const first = rows[0];
  if (!first) return [];
  const columns = getTableColumns(table);
  const sharedFields = Object.keys(shared);
  const fields = Object.keys(first).filter((f) => !(f in shared));
  const name = (field: string) => {
    const column = columns[field];
    if (!column) throw new Error(`unknown field ${field} of ${getTableName(table)}`);
    return sql.identifier(column.name);
  };
  const names = sql.join([...fields, ...sharedFields].map(name), sql`, `);
  const values = sql.join(
    [
      ...fields.map((_, i) => sql.raw(`json_extract(value, '$[${i}]')`)),
      ...sharedFields.map((f) => sql`${(shared as Record<string, unknown>)[f]}`),
    ],
    sql`, `,
  );
  const conflict =
    "doNothing" in onConflict
      ? sql` ON CONFLICT DO NOTHING`
      : sql` ON CONFLICT (${sql.join(onConflict.target.map(name), sql`, `)}) DO UPDATE SET ${sql.join(
          [...fields, ...sharedFields]
            .filter((f) => !onConflict.target.includes(f as never) && f !== "createdAt")
            .map((f) => sql`${name(f)} = excluded.${name(f)}`),
          sql`, `,
        )}`;
  const tail = returning ? sql` RETURNING ${name(returning)}` : sql``;
  const tuples = rows.map((row) => fields.map((f) => (row as Record<string, unknown>)[f]));
  return chunkJsonRows(tuples).map(
    (json) =>
      sql`INSERT INTO ${sql.identifier(getTableName(table))} (${names}) SELECT ${values} FROM json_each(${json}) WHERE ${where}${conflict}${tail}`,
  );
}

/**
 * Builds `UPDATE … FROM json_each(?)` statements: each row sets its own values (`set`) on the row whose
 * columns equal its `match`, any number of rows in one statement with one bound parameter. Keys are the
 * table's TypeScript field names; every row must have the same keys.
 */
export function updateJsonRows<T extends SQLiteTable>(
  table: T,
  rows: readonly { match: Partial<T["$inferSelect"]>; set: Partial<T["$inferSelect"]> }[],
): SQL[] {
  const first = rows[0];
  if (!first) return [];
  const columns = getTableColumns(table);
  const column = (field: string) => {
    const c = columns[field];
    if (!c) throw new Error(`unknown field ${field} of ${getTableName(table)}`);
    return c.name;
  };
  const tableName = getTableName(table);
  const sets = Object.keys(first.set).map((f) => sql.raw(`"${column(f)}" = json_extract(j.value, '$.s.${f}')`));
  const matches = Object.keys(first.match).map((f) =>
    sql.raw(`"${tableName}"."${column(f)}" = json_extract(j.value, '$.m.${f}')`),
  );
  return chunkJsonRows(rows.map((r) => ({ m: r.match, s: r.set }))).map(
    (json) =>
      sql`UPDATE ${sql.identifier(tableName)} SET ${sql.join(sets, sql`, `)} FROM json_each(${json}) AS j WHERE ${sql.join(matches, sql` AND `)}`,
  );
}
