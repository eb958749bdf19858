import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { storageFailure, storageFailureReason } from "./errors";

const wrapped = (message: string) =>
  new DrizzleQueryError("INSERT INTO calls (callee) VALUES (?)", ["13800138000"], new Error(message));

describe("storageFailure", () => {
  it("calls D1's errors about the statement itself permanent", () => {
    for (const message of [
      "D1_ERROR: string or blob too big: SQLITE_TOOBIG",
      "D1_ERROR: too many SQL variables at offset 12: SQLITE_ERROR",
      "D1_ERROR: NOT NULL constraint failed: calls.connected: SQLITE_CONSTRAINT",
      "D1_ERROR: statement too long: SQLITE_TOOBIG",
    ]) {
      expect(storageFailure(new Error(message)), message).toBe("permanent");
      expect(storageFailure(wrapped(message)), message).toBe("permanent");
    }
  });

  it("calls an outage, or anything it does not know, unavailable", () => {
    for (const message of [
      "D1_ERROR: Network connection lost.",
      "D1 DB is overloaded. Too many requests queued.",
      "D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.",
      "something else",
    ]) {
      expect(storageFailure(new Error(message)), message).toBe("unavailable");
    }
  });

  it("never reads the statement's text or values: only D1's own words count", () => {
    expect(storageFailure(new DrizzleQueryError("SELECT 'too big'", ["too large"], new Error("D1_ERROR: x")))).toBe(
      "unavailable",
    );
  });
});

describe("storageFailureReason", () => {
  it("is D1's own first line, without the statement's values", () => {
    const reason = storageFailureReason(wrapped("D1_ERROR: string or blob too big: SQLITE_TOOBIG\nmore"));
    expect(reason).toBe("D1_ERROR: string or blob too big: SQLITE_TOOBIG");
    expect(storageFailureReason(new Error("x".repeat(400)))).toHaveLength(300);
  });
});
