import { getTableColumns } from "drizzle-orm";
import { calls } from "../../../src/storage/db/schema.ts";
import { toCallRow } from "./row.ts";

interface FloorEnv {
  DB: D1Database;
  PUSH_TOKEN?: string;
}

const columns = getTableColumns(calls);
// Every column but the key and the generated ones (`call_at`, `callee_key`: SQLite computes them).
const fields = (Object.keys(columns) as (keyof typeof columns)[]).filter((f) => f !== "id" && !columns[f].generated);
const names = fields.map((f) => `"${columns[f].name}"`);
const keys = new Set(['"source_id"', '"voice_id"', '"created_at"']);

/** One upsert of one record, every column bound: about 50 parameters, under D1's 100. */
const UPSERT = `INSERT INTO calls (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})
  ON CONFLICT (source_id, voice_id) DO UPDATE SET ${names
    .filter((n) => !keys.has(n))
    .map((n) => `${n} = excluded.${n}`)
    .join(", ")}`;

/**
 * `POST /push/:token` with `{"array":[...]}`: the plainest correct way to keep a push's records: one prepared
 * upsert per record (on source + voiceId, so a re-push updates), the whole record as JSON in a column, all in
 * one D1 batch. No reading or validation, no push log, no archive, no deliveries.
 */
async function storePush(request: Request, env: FloorEnv): Promise<Response> {
  const { array } = JSON.parse(await request.text()) as { array: Record<string, unknown>[] };
  if (array.length === 0) return Response.json({ ok: true, accepted: 0 });
  const now = Date.now();
  const pushId = `psh_${crypto.randomUUID()}`;
  const upsert = env.DB.prepare(UPSERT);
  await env.DB.batch(
    array.map((record) => {
      const row = toCallRow(record, pushId, now) as Record<string, unknown>;
      return upsert.bind(...fields.map((f) => row[f] ?? null));
    }),
  );
  return Response.json({ ok: true, accepted: array.length });
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
