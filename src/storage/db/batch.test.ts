import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  assertParamLimit,
  BoundParamLimitError,
  chunkJsonRows,
  insertJsonRows,
  MAX_BOUND_PARAMS,
  MAX_JSON_PARAM_CHARS,
  runBatch,
  updateJsonRows,
} from "./batch";
import { getDb } from "./client";
import { sources } from "./schema";

const row = (i: number) => ({ id: `src_guard_${i}`, name: `guard ${i}`, tokenHash: null, createdAt: i, updatedAt: i });

describe("the bound-parameter guard", () => {
  it("accepts 100 parameters and refuses 101", () => {
    expect(() => assertParamLimit({ sql: "", params: Array(MAX_BOUND_PARAMS).fill(1) })).not.toThrow();
    expect(() => assertParamLimit({ sql: "", params: Array(MAX_BOUND_PARAMS + 1).fill(1) })).toThrow(
      BoundParamLimitError,
    );
  });

  it("stops a batch before D1 sees a statement over the limit, so nothing of it is written", async () => {
    const db = getDb(env.DB);
    const rows = Array.from({ length: 21 }, (_, i) => row(i));
    const tooBig = db.insert(sources).values(rows);
    expect(tooBig.toSQL().params.length).toBeGreaterThan(MAX_BOUND_PARAMS);
    const fine = db.insert(sources).values(row(100));
    await expect(runBatch(env.DB, [fine, tooBig])).rejects.toThrow(BoundParamLimitError);
    expect(await db.select().from(sources).where(sql`${sources.id} LIKE 'src_guard_%'`)).toEqual([]);
  });

  it("writes any number of rows with one parameter per statement", async () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => row(i));
    const statements = insertJsonRows(sources, rows, { doNothing: true });
    await runBatch(env.DB, statements);
    const [{ n }] = (
      await env.DB.prepare("SELECT count(*) AS n FROM sources WHERE id LIKE 'src_guard_%'").all<{ n: number }>()
    ).results as [{ n: number }];
    expect(n).toBe(2_000);
  });
});

describe("chunkJsonRows", () => {
  it("keeps every chunk under the size limit and loses no row", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ i, text: "x".repeat(i * 7) }));
    const chunks = chunkJsonRows(rows, 50_000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(50_000);
    expect(chunks.flatMap((c) => JSON.parse(c))).toEqual(rows);
  });

  it("defaults to a limit whose worst-case UTF-8 size stays under D1's 1 MB value limit", () => {
    expect(MAX_JSON_PARAM_CHARS * 3).toBeLessThan(1_000_000);
  });
});

describe("updateJsonRows", () => {
  it("sets each row's own values where its match holds, in one statement with one parameter", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ ...row(i), id: `src_upd_${i}`, name: `upd ${i}` }));
    await runBatch(env.DB, insertJsonRows(sources, rows, { doNothing: true }));
    const statements = updateJsonRows(
      sources,
      rows.map((r, i) => ({
        match: { id: r.id, createdAt: i % 2 === 0 ? i : -1 },
        set: { name: `new ${i}`, tokenHash: null },
      })),
    );
    expect(statements).toHaveLength(1);
    await runBatch(env.DB, statements);
    const { results } = await env.DB.prepare(
      "SELECT name FROM sources WHERE id LIKE 'src_upd_%' ORDER BY created_at",
    ).all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual(rows.map((_, i) => (i % 2 === 0 ? `new ${i}` : `upd ${i}`)));
  });
});
