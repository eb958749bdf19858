import { drizzle } from "drizzle-orm/d1";
import { calls } from "../../../src/db/schema.ts";
import { toCallRow } from "./row.ts";

/** D1 rejects a statement with more bound parameters than this. */
const MAX_BOUND_PARAMS = 100;

interface FloorEnv {
  DB: D1Database;
  PUSH_TOKEN?: string;
}

/**
 * `POST /push/:token` with `{"array":[...]}`: one plain Drizzle insert per chunk of rows (at most 100 bound
 * parameters a statement), all in one `db.batch`. No validation, no upsert, no push log, no deliveries.
 */
async function storePush(request: Request, env: FloorEnv): Promise<Response> {
  const { array } = JSON.parse(await request.text()) as { array: Record<string, unknown>[] };
  const now = Date.now();
  const pushId = `psh_${crypto.randomUUID()}`;
  const rows = array.map((record) => toCallRow(record, pushId, now));
  if (rows.length === 0) return Response.json({ ok: true, accepted: 0 });
  const db = drizzle(env.DB);
  const paramsPerRow = db.insert(calls).values(rows.slice(0, 1)).toSQL().params.length;
  const rowsPerStatement = Math.max(1, Math.floor(MAX_BOUND_PARAMS / paramsPerRow));
  const statements = [];
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    statements.push(db.insert(calls).values(rows.slice(i, i + rowsPerStatement)));
  }
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return Response.json({ ok: true, accepted: rows.length, statements: statements.length });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/health") {
      await env.DB.prepare("SELECT 1").run();
      return Response.json({ ok: true });
    }
    const token = /^\/push\/([^/]+)$/.exec(pathname)?.[1];
    if (request.method !== "POST" || token === undefined) return Response.json({ ok: false }, { status: 404 });
    if (token !== env.PUSH_TOKEN) return Response.json({ ok: false }, { status: 401 });
    return storePush(request, env);
  },
} satisfies ExportedHandler<FloorEnv>;
