/** D1 round trips counted by kind: `{ n, kinds: { "<kind>": count } }`. */
export interface RoundTrips {
  n: number;
  kinds: Record<string, number>;
}

/**
 * What a statement does, to tell round trips apart: its verb and table (`select sources`, `insert storage_usage`,
 * `update pushes`), from its SQL.
 */
export function statementKind(query: string): string {
  const sql = query.replace(/\s+/g, " ").trim().toLowerCase();
  const verb = /^(with|select|insert|update|delete|replace)/.exec(sql)?.[1] ?? sql.split(" ")[0] ?? "?";
  const table =
    /^(?:insert|replace)(?: or \w+)? into "?(\w+)"?/.exec(sql)?.[1] ??
    /^update "?(\w+)"?/.exec(sql)?.[1] ??
    /\bfrom "?(\w+)"?/.exec(sql)?.[1] ??
    "";
  return table ? `${verb} ${table}` : verb;
}

/**
 * A D1 binding that counts its round trips (a batch, `exec`, or a statement run on its own) into `counter`, each
 * under its kind: a statement's {@link statementKind}, a batch's `batch: <the kinds of its statements>`. For
 * bench:history's capture worker and the tests that hold a push's D1 work to a floor.
 */
export function countRoundTrips(db: D1Database, counter: RoundTrips): D1Database {
  const kindOf = new WeakMap<object, string>();
  const tally = (kind: string) => {
    counter.n += 1;
    counter.kinds[kind] = (counter.kinds[kind] ?? 0) + 1;
  };
  const count = <T extends object>(statement: T, kind: string): T => {
    kindOf.set(statement, kind);
    const s = statement as Record<string, unknown>;
    for (const method of ["run", "all", "first", "raw"]) {
      const real = s[method] as (...a: unknown[]) => unknown;
      s[method] = (...a: unknown[]) => {
        tally(kind);
        return real.apply(statement, a);
      };
    }
    const bind = s.bind as (...a: unknown[]) => T;
    s.bind = (...a: unknown[]) => count(bind.apply(statement, a), kind);
    return statement;
  };
  return {
    prepare: (query: string) => count(db.prepare(query), statementKind(query)),
    batch: (statements: D1PreparedStatement[]) => {
      const kinds = [...new Set(statements.map((s) => kindOf.get(s) ?? "?"))].sort();
      tally(`batch: ${kinds.join(", ")}`);
      return db.batch(statements);
    },
    exec: (query: string) => {
      tally(`exec ${statementKind(query)}`);
      return db.exec(query);
    },
    withSession: db.withSession.bind(db),
    dump: db.dump.bind(db),
  } as D1Database;
}
