import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertParamLimit } from "./batch";
import { calleeKeySql, calleeSearchKey, MAX_CALLEE_KEY_CHARS } from "./derived-columns";

const dialect = new SQLiteAsyncDialect();
const keySql = dialect.sqlToQuery(sql`SELECT ${calleeKeySql} AS k FROM (SELECT ?1 AS callee)`);

describe("callee_key", () => {
  it("is what phone search computes from the same number", async () => {
    assertParamLimit(keySql);
    const phone = fc.stringMatching(new RegExp(`^[0-9+ ()-]{0,${MAX_CALLEE_KEY_CHARS}}$`));
    await fc.assert(
      fc.asyncProperty(phone, async (callee) => {
        const row = await env.DB.prepare(keySql.sql).bind(callee).first<{ k: string }>();
        expect(row?.k).toBe(calleeSearchKey(callee));
      }),
      { numRuns: 50 },
    );
  });

  it("ignores +, spaces, dashes and brackets", () => {
    expect(calleeSearchKey("+86 (138) 0000-0003")).toBe("3000000083168");
  });
});
