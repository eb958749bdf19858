/**
 * A D1 binding that counts its round trips (a batch, `exec`, or a statement run on its own) into `counter.n`; for
 * bench:history's capture worker and the tests that hold a push's D1 work to a floor.
 */
export function countRoundTrips(db: D1Database, counter: { n: number }): D1Database {
  const count = <T extends object>(statement: T): T => {
    const s = statement as Record<string, unknown>;
    for (const method of ["run", "all", "first", "raw"]) {
      const real = s[method] as (...a: unknown[]) => unknown;
      s[method] = (...a: unknown[]) => {
        counter.n += 1;
        return real.apply(statement, a);
      };
    }
    const bind = s.bind as (...a: unknown[]) => T;
    s.bind = (...a: unknown[]) => count(bind.apply(statement, a));
    return statement;
  };
  return {
    prepare: (query: string) => count(db.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => {
      counter.n += 1;
      return db.batch(statements);
    },
    exec: (query: string) => {
      counter.n += 1;
      return db.exec(query);
    },
    withSession: db.withSession.bind(db),
    dump: db.dump.bind(db),
  } as D1Database;
}
