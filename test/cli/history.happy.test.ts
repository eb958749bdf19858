import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { pushWith, restoreConfirmTiming, withStream } from "../history/stand-in";
import { runCron } from "../support/handlers";
import { record, rows } from "../support/worker";
import { cli, relayEnv, tableRows } from "./kit";

afterEach(restoreConfirmTiming);

const SQL_BASE = "https://basin-sql.test";
const historyEnv = {
  ...relayEnv,
  CALLRELAY_WAREHOUSE: "acc123_callrelay-history",
  WRANGLER_BASIN_SQL_AUTH_TOKEN: "basin-token",
  CALLRELAY_BASIN_SQL_URL: SQL_BASE,
};

/** A stub of Basin SQL's REST API: answers `answer(query)`, and refuses a wrong path or token as the API does. */
function basinSql(answer: (query: string) => Record<string, unknown>[]) {
  const queries: string[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (!url.startsWith(SQL_BASE)) throw new Error(`unexpected request to ${url}`);
    const headers = new Headers(init.headers);
    if (url !== `${SQL_BASE}/api/v1/accounts/acc123/basin-sql/query/callrelay-history` || init.method !== "POST") {
      return Response.json({ success: false, errors: [{ code: 7003, message: "No route" }] }, { status: 404 });
    }
    if (headers.get("authorization") !== "Bearer basin-token") {
      return Response.json(
        { success: false, errors: [{ code: 10000, message: "Authentication error" }] },
        { status: 403 },
      );
    }
    const body = JSON.parse(String(init.body)) as { warehouse: string; query: string };
    expect(body.warehouse).toBe("acc123_callrelay-history");
    queries.push(body.query);
    if (body.query.includes("nosuchcolumn")) {
      return Response.json(
        { success: false, errors: [{ code: 40003, message: "column nosuchcolumn not found" }] },
        { status: 400 },
      );
    }
    const result = answer(body.query);
    const schema = Object.keys(result[0] ?? {}).map((name) => ({ name }));
    return Response.json({
      success: true,
      result: { schema, rows: result, metrics: { bytes_scanned: 2048, files_scanned: 2 } },
    });
  };
  return { fetch, queries };
}

describe("callrelay history", () => {
  it("runs a query through Basin SQL's REST API and prints a table, or JSON", async () => {
    const stub = basinSql(() => [
      { day: "2026-03-26", task_id: 5034040, calls: 120, connect_rate: 0.25 },
      { day: "2026-03-27", task_id: 5034040, calls: 80, connect_rate: 0.5 },
    ]);
    const sql =
      "SELECT date_trunc('day', call_at) AS day, task_id, count(*) AS calls FROM callrelay.calls GROUP BY 1, 2";
    const table = await cli(["history", sql], { env: historyEnv, fetch: stub.fetch });
    expect(table.code).toBe(0);
    expect(tableRows(table.stdout).slice(0, 3)).toEqual([
      ["day", "task_id", "calls", "connect_rate"],
      ["2026-03-26", "5034040", "120", "0.25"],
      ["2026-03-27", "5034040", "80", "0.5"],
    ]);
    expect(table.stdout).toContain("(2 files, 2048 bytes read)");
    expect(stub.queries).toEqual([sql]);
    const json = await cli(["history", sql, "--json"], { env: historyEnv, fetch: stub.fetch });
    expect(JSON.parse(json.stdout).rows).toHaveLength(2);
  });

  it("needs no relay, but a warehouse and a token; says Basin's own error", async () => {
    const stub = basinSql(() => []);
    const { CALLRELAY_URL: _u, CALLRELAY_TOKEN: _t, ...noRelay } = historyEnv;
    expect((await cli(["history", "SELECT 1 FROM callrelay.calls"], { env: noRelay, fetch: stub.fetch })).code).toBe(0);
    const { CALLRELAY_WAREHOUSE: _w, ...noWarehouse } = historyEnv;
    const missing = await cli(["history", "SELECT 1"], { env: noWarehouse, fetch: stub.fetch });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("CALLRELAY_WAREHOUSE");
    const badToken = await cli(["history", "SELECT 1"], {
      env: { ...historyEnv, WRANGLER_BASIN_SQL_AUTH_TOKEN: "wrong" },
      fetch: stub.fetch,
    });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/403.*Authentication error.*permissions/);
    const bad = await cli(["history", "SELECT nosuchcolumn FROM callrelay.calls"], {
      env: historyEnv,
      fetch: stub.fetch,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("column nosuchcolumn not found");
  });

  it("calls show reads a call retention moved to history from Basin SQL", async () => {
    const { bindings } = withStream();
    const r = record();
    const { pushId } = await (await pushWith(bindings, { array: [r] })).json<{ pushId: string }>();
    const old = Date.now() - 400 * 86_400_000;
    await env.DB.batch([
      env.DB.prepare("UPDATE pushes SET received_at = ? WHERE id = ?").bind(old, pushId),
      env.DB.prepare("UPDATE calls SET received_at = ? WHERE push_id = ?").bind(old, pushId),
      env.DB.prepare("UPDATE history_state SET streamed_from = ? WHERE id = 1").bind(old - 1),
    ]);
    await runCron(Date.now(), bindings);
    expect(await rows("SELECT 1 FROM calls WHERE voice_id = ?", r.voiceId)).toEqual([]);
    const stub = basinSql(() => [
      { voice_id: r.voiceId, source_id: "src_default", call_duration: 35, push_id: pushId },
    ]);
    const relay = async (url: string, init: RequestInit) => {
      if (url.startsWith(SQL_BASE)) return stub.fetch(url, init);
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(url, init), bindings, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const shown = await cli(["calls", "show", r.voiceId], { env: historyEnv, fetch: relay });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toContain("moved to history");
    expect(shown.stdout).toMatch(new RegExp(`^voice_id: +${r.voiceId}$`, "m"));
    expect(stub.queries[0]).toContain(`voice_id = '${r.voiceId}'`);
  });

  it("history backfill follows the steps until done, printing progress, and sends nothing twice", async () => {
    await env.DB.prepare("DELETE FROM history_state").run(); // a deployment that never streamed
    const before = record();
    await pushWith(env, { array: [before] }); // stored before the stream was bound
    const { bindings, stream } = withStream();
    const relay = async (url: string, init: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(url, init), bindings, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const done = await cli(["history", "backfill", "--since", since], { env: historyEnv, fetch: relay });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^Backfill complete: \d+ rows sent; calls from .* on are in history\.$/m);
    expect(stream.rows.filter((row) => row.voice_id === before.voiceId)).toHaveLength(1);
    const sent = stream.rows.length;
    const again = await cli(["history", "backfill", "--since", since], { env: historyEnv, fetch: relay });
    expect(again.stdout).toMatch(/^Nothing to send/);
    expect(stream.rows.length).toBe(sent);
  });
});
