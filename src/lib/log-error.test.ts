import { DrizzleQueryError } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storageUnavailable } from "./errors";
import { describeError } from "./log-error";

const d1 = new Error("D1_ERROR: UNIQUE constraint failed: destinations.id: SQLITE_CONSTRAINT");
const query = 'insert into "destinations" ("id", "config") values (?, ?)';

describe("describeError", () => {
  it("gives a failed query's shape and D1's codes, never its params", () => {
    const err = new DrizzleQueryError(query, ["dst_1", '{"botToken":"123:SECRET"}'], d1);
    const logged = describeError(storageUnavailable(err));
    expect(logged).toEqual({
      name: "AppError",
      code: "storage_unavailable",
      message: "Storage is unavailable; nothing was stored. Retry later.",
      statement: query,
      d1: "D1_ERROR",
      sqlite: "SQLITE_CONSTRAINT",
      reason: "UNIQUE constraint failed: destinations.id",
    });
    expect(JSON.stringify(logged)).not.toContain("SECRET");
  });

  it("blanks literals in a statement and cuts links to their origin", () => {
    const err = new DrizzleQueryError("select * from t where a = 'whsec_x' and b = ?", ["p"], undefined);
    expect(describeError(err).statement).toBe("select * from t where a = '?' and b = ?");
    const fetchFailed = new TypeError("fetch failed: https://hooks.slack.com/services/T0/B0/SECRET");
    expect(describeError(fetchFailed).message).toBe("fetch failed: https://hooks.slack.com/…");
  });

  it("never carries a param, whatever it is", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 6 }), { minLength: 1, maxLength: 5 }), (params) => {
        const logged = JSON.stringify(describeError(new DrizzleQueryError(query, params, d1)));
        for (const param of params)
          if (!query.includes(param) && !d1.message.includes(param)) expect(logged).not.toContain(param);
      }),
    );
  });

  it("gives SQLite's extended code when D1 names one", () => {
    const err = new Error("D1_ERROR: forced failure: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)");
    expect(describeError(err)).toEqual({
      name: "Error",
      d1: "D1_ERROR",
      sqlite: "SQLITE_CONSTRAINT_TRIGGER",
      reason: "forced failure",
    });
  });

  it("describes what is not an Error by its type", () => {
    expect(describeError("boom")).toEqual({ name: "string" });
  });
});
