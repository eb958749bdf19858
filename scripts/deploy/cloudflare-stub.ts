// A stub of the Cloudflare API for the deploy tests: wrangler talks to it through CLOUDFLARE_API_BASE_URL. It
// keeps an account in memory (D1 databases that run their SQL in node:sqlite, queues, R2 buckets and their
// lifecycle rules, Worker scripts with their bindings and secrets, Basin catalogs, streams, sinks and pipelines)
// and answers only the calls a deploy (with --history) makes;
// any other call is recorded in `unknown` and answered 500, so a test fails on it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DatabaseSync } from "node:sqlite";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const SUBDOMAIN = "relay-test";

/** A binding as the Worker upload's metadata carries it. */
export interface UploadedBinding {
  type: string;
  name: string;
  [field: string]: unknown;
}

interface Script {
  bindings: UploadedBinding[];
  /** Secret values, by name. */
  secrets: Map<string, string>;
  crons: string[];
  consumers: string[];
  uploads: number;
}

interface Database {
  uuid: string;
  name: string;
  location: string | undefined;
  sql: DatabaseSync;
}

interface LifecycleRule {
  id: string;
  enabled: boolean;
  conditions?: { prefix?: string };
  deleteObjectsTransition?: { condition: { type: string; maxAge?: number } };
  [field: string]: unknown;
}

/** A Basin stream, sink or pipeline: what its create call sent, with its id and times. */
export interface BasinResource {
  id: string;
  name: string;
  [field: string]: unknown;
}

export interface CloudflareStub {
  /** `CLOUDFLARE_API_BASE_URL` for wrangler. */
  baseUrl: string;
  databases: Map<string, Database>;
  queues: Map<string, { queue_id: string; queue_name: string }>;
  buckets: Map<string, { rules: LifecycleRule[] }>;
  scripts: Map<string, Script>;
  /** Buckets with Basin Catalog enabled. */
  catalogs: Set<string>;
  /** Basin resources by kind, then name. */
  basin: {
    streams: Map<string, BasinResource>;
    sinks: Map<string, BasinResource>;
    pipelines: Map<string, BasinResource>;
  };
  /** Every change made, in order: "create d1 callrelay (apac)", "set secret ADMIN_TOKEN", "upload callrelay"… */
  changes: string[];
  /** Every call, "METHOD /path". */
  requests: string[];
  /** Calls the stub does not know: a deploy that makes one fails its test. */
  unknown: string[];
  /** The Time Travel bookmark its databases answer: this stub's own, so a test finds the one its deploy wrote. */
  bookmark: string;
  /** Makes the next queue creations fail with a 403, as an account without the permission would. */
  refuseQueueCreation: boolean;
  /** Makes reads of Basin streams fail with a 403, as a token without Pipelines access would. */
  refusePipelinesRead: boolean;
  close(): Promise<void>;
}

type Json = Record<string, unknown> | unknown[] | null;

const ok = (result: Json, extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: { success: true, errors: [], messages: [], result, ...extra },
});
const fail = (status: number, code: number, message: string) => ({
  status,
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
});

/** The fields of a multipart body: name → its text (files included). */
async function formFields(req: IncomingMessage, body: Buffer): Promise<Map<string, string>> {
  const form = await new Request("http://stub/", {
    method: "POST",
    headers: { "content-type": req.headers["content-type"] ?? "" },
    body: new Uint8Array(body),
  }).formData();
  const fields = new Map<string, string>();
  for (const [name, value] of form) fields.set(name, typeof value === "string" ? value : await value.text());
  return fields;
}

/** Runs `sql` (one statement or many) the way D1's query API answers. */
function runSql(db: DatabaseSync, sql: string, params: unknown[] = []) {
  const statements = sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !/^--[^\n]*$/.test(s));
  if (statements.length <= 1 && /^\s*(SELECT|PRAGMA|WITH)\b/i.test(sql)) {
    const rows = db.prepare(sql).all(...(params as never[]));
    return [{ results: rows, success: true, meta: { changes: 0, rows_read: rows.length, rows_written: 0 } }];
  }
  db.exec(sql);
  return [{ results: [], success: true, meta: { changes: 0, rows_read: 0, rows_written: 0 } }];
}

/** Starts the stub on a free port of 127.0.0.1. */
export async function startCloudflareStub(): Promise<CloudflareStub> {
  const stub = {
    databases: new Map<string, Database>(),
    queues: new Map<string, { queue_id: string; queue_name: string }>(),
    buckets: new Map<string, { rules: LifecycleRule[] }>(),
    scripts: new Map<string, Script>(),
    catalogs: new Set<string>(),
    basin: {
      streams: new Map<string, BasinResource>(),
      sinks: new Map<string, BasinResource>(),
      pipelines: new Map<string, BasinResource>(),
    },
    changes: [] as string[],
    requests: [] as string[],
    unknown: [] as string[],
    bookmark: `00000085-0000024c-00004c6d-${randomUUID().replaceAll("-", "")}`,
    refuseQueueCreation: false,
    refusePipelinesRead: false,
  };
  const dbByUuidOrName = (key: string) => [...stub.databases.values()].find((db) => db.uuid === key || db.name === key);

  async function route(req: IncomingMessage, body: Buffer, url: URL) {
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/client\/v4/, "");
    const account = `/accounts/${ACCOUNT_ID}`;
    const json = () => JSON.parse(body.toString("utf8") || "{}");
    let m: RegExpMatchArray | null;

    if (method === "GET" && path === "/user/tokens/verify") return ok({ id: "token", status: "active" });
    if (method === "GET" && path === "/memberships")
      return ok([{ id: "m", account: { id: ACCOUNT_ID, name: "Test account" } }]);
    if (method === "GET" && path === "/accounts") return ok([{ id: ACCOUNT_ID, name: "Test account" }]);
    if (method === "GET" && path === "/user") return ok({ id: "user", email: "ops@example.com" });

    // D1
    if (method === "GET" && path === `${account}/d1/database`) {
      const name = url.searchParams.get("name");
      const list = [...stub.databases.values()].filter((db) => !name || db.name === name);
      return ok(
        list.map((db) => ({ uuid: db.uuid, name: db.name, version: "production", created_at: "2026-12-01T00:00:00Z" })),
        { result_info: { page: 1, per_page: 1000, count: list.length, total_count: list.length } },
      );
    }
    if (method === "POST" && path === `${account}/d1/database`) {
      const { name, primary_location_hint } = json();
      if (dbByUuidOrName(name)) return fail(400, 7502, `A database with that name already exists`);
      const db = { uuid: randomUUID(), name, location: primary_location_hint, sql: new DatabaseSync(":memory:") };
      stub.databases.set(name, db);
      stub.changes.push(`create d1 ${name} (${primary_location_hint ?? "no location"})`);
      return ok({ uuid: db.uuid, name, created_in_region: (primary_location_hint ?? "WNAM").toUpperCase() });
    }
    m = path.match(new RegExp(`^${account}/d1/database/([^/]+)$`));
    if (m && method === "GET") {
      const db = dbByUuidOrName(decodeURIComponent(m[1] ?? ""));
      if (!db) return fail(404, 7404, "The database could not be found");
      return ok({ uuid: db.uuid, name: db.name, version: "production", num_tables: 0, file_size: 4096 });
    }
    m = path.match(new RegExp(`^${account}/d1/database/([^/]+)/(query|raw)$`));
    if (m && method === "POST") {
      const db = dbByUuidOrName(m[1] ?? "");
      if (!db) return fail(404, 7404, "The database could not be found");
      const { sql, params } = json();
      try {
        return ok(runSql(db.sql, sql, params));
      } catch (err) {
        return fail(400, 7500, `${(err as Error).message}: SQLITE_ERROR`);
      }
    }
    m = path.match(new RegExp(`^${account}/d1/database/([^/]+)/time_travel/bookmark$`));
    if (m && method === "GET") {
      if (!dbByUuidOrName(m[1] ?? "")) return fail(404, 7404, "The database could not be found");
      return ok({ bookmark: stub.bookmark });
    }

    // Queues
    if (method === "GET" && path === `${account}/queues`) {
      const names = url.searchParams.getAll("name");
      const list = [...stub.queues.values()].filter((q) => names.length === 0 || names.includes(q.queue_name));
      return ok(
        list.map((q) => ({ ...q, consumers: [], producers: [] })),
        {
          result_info: { page: 1, per_page: 100, count: list.length, total_count: list.length, total_pages: 1 },
        },
      );
    }
    if (method === "POST" && path === `${account}/queues`) {
      const { queue_name } = json();
      if (stub.refuseQueueCreation) return fail(403, 10000, "Authentication error: this token may not create queues");
      if (stub.queues.has(queue_name)) return fail(409, 11009, "A queue with this name already exists");
      const queue = { queue_id: randomUUID().replaceAll("-", ""), queue_name };
      stub.queues.set(queue_name, queue);
      stub.changes.push(`create queue ${queue_name}`);
      return ok({ ...queue, created_on: "2026-12-01T00:00:00Z", modified_on: "2026-12-01T00:00:00Z" });
    }
    m = path.match(new RegExp(`^${account}/queues/([^/]+)$`));
    if (m && method === "GET") {
      const queue = [...stub.queues.values()].find((q) => q.queue_id === m?.[1] || q.queue_name === m?.[1]);
      return queue ? ok({ ...queue, consumers: [], producers: [] }) : fail(404, 11000, "Queue not found");
    }
    m = path.match(new RegExp(`^${account}/queues/([^/]+)/consumers$`));
    if (m && method === "POST") {
      const { script_name, dead_letter_queue } = json();
      const queue = [...stub.queues.values()].find((q) => q.queue_id === m?.[1]);
      if (!queue) return fail(404, 11000, "Queue not found");
      if (dead_letter_queue && !stub.queues.has(dead_letter_queue))
        return fail(400, 11000, `Dead letter queue ${dead_letter_queue} does not exist`);
      const script = stub.scripts.get(script_name);
      if (!script?.consumers.includes(queue.queue_name)) {
        script?.consumers.push(queue.queue_name);
        stub.changes.push(`add consumer ${script_name} on ${queue.queue_name}`);
      }
      return ok({ queue_name: queue.queue_name, script_name, consumer_id: queue.queue_id });
    }

    // R2
    m = path.match(new RegExp(`^${account}/r2/buckets/([^/]+)$`));
    if (m && method === "GET") {
      const name = decodeURIComponent(m[1] ?? "");
      return stub.buckets.has(name)
        ? ok({ name, creation_date: "2026-12-01T00:00:00Z", location: "apac" })
        : fail(404, 10006, "The specified bucket does not exist.");
    }
    if (method === "GET" && path === `${account}/r2/buckets`)
      return ok({ buckets: [...stub.buckets.keys()].map((name) => ({ name, creation_date: "2026-12-01T00:00:00Z" })) });
    if (method === "POST" && path === `${account}/r2/buckets`) {
      const { name } = json();
      if (stub.buckets.has(name)) return fail(409, 10004, "The bucket you tried to create already exists");
      stub.buckets.set(name, { rules: [] });
      stub.changes.push(`create bucket ${name}`);
      return ok({ name, creation_date: "2026-12-01T00:00:00Z" });
    }
    m = path.match(new RegExp(`^${account}/r2/buckets/([^/]+)/lifecycle$`));
    if (m) {
      const bucket = stub.buckets.get(decodeURIComponent(m[1] ?? ""));
      if (!bucket) return fail(404, 10006, "The specified bucket does not exist.");
      if (method === "GET") return ok({ rules: bucket.rules });
      if (method === "PUT") {
        bucket.rules = json().rules;
        stub.changes.push(`set lifecycle ${m[1]}: ${bucket.rules.map((r) => r.id).join(", ")}`);
        return ok({});
      }
    }

    // `r2 bucket info`'s object count and size: no metrics yet.
    if (method === "POST" && path === "/graphql" && json().operationName === "getR2StorageMetrics")
      return { status: 200, body: { data: { viewer: { accounts: [{ r2StorageAdaptiveGroups: [] }] } }, errors: null } };

    // Basin Catalog
    m = path.match(new RegExp(`^${account}/r2-catalog/([^/]+)(/enable)?$`));
    if (m) {
      const bucket = decodeURIComponent(m[1] ?? "");
      const catalog = { id: randomUUID(), name: `${ACCOUNT_ID}_${bucket}`, bucket, status: "active" };
      if (method === "GET" && !m[2])
        return stub.catalogs.has(bucket) ? ok(catalog) : fail(404, 40401, "Catalog not enabled for this bucket");
      if (method === "POST" && m[2]) {
        if (!stub.buckets.has(bucket)) return fail(404, 10006, "The specified bucket does not exist.");
        if (!stub.catalogs.has(bucket)) stub.changes.push(`create catalog ${bucket}`);
        stub.catalogs.add(bucket);
        return ok({ id: catalog.id, name: catalog.name });
      }
    }

    // Basin pipelines: streams, sinks, pipelines (wrangler finds one by name through the list's ?name=)
    m = path.match(new RegExp(`^${account}/pipelines/v1/(streams|sinks|pipelines)(?:/([^/]+))?$`));
    if (m) {
      const kind = m[1] as keyof typeof stub.basin;
      const all = stub.basin[kind];
      const id = m[2];
      if (stub.refusePipelinesRead && kind === "streams" && method === "GET")
        return fail(403, 10000, "Authentication error: this token may not read pipelines");
      if (method === "GET" && id === undefined) {
        const name = url.searchParams.get("name");
        const page = Number(url.searchParams.get("page") ?? 1);
        return ok(page > 1 ? [] : [...all.values()].filter((r) => !name || r.name === name));
      }
      if (method === "GET") {
        const found = [...all.values()].find((r) => r.id === id);
        const code = { streams: 1016, sinks: 1015, pipelines: 1000 }[kind];
        return found ? ok(found) : fail(404, code, `${kind.slice(0, -1)} does not exist`);
      }
      if (method === "POST" && id === undefined) {
        const { token: _token, ...given } = json();
        if (all.has(given.name)) return fail(409, 1001, `a ${kind.slice(0, -1)} named ${given.name} exists`);
        const created: BasinResource = {
          ...given,
          ...(given.config ? { config: { ...given.config, token: undefined } } : {}),
          id: randomUUID().replaceAll("-", ""),
          created_at: "2026-12-01T00:00:00Z",
          modified_at: "2026-12-01T00:00:00Z",
        };
        if (kind === "streams") created.endpoint = `https://${created.id}.ingest.cloudflare.com`;
        if (kind === "pipelines") {
          const [, sink, stream] = /INSERT INTO (\S+) SELECT \* FROM (\S+)/.exec(String(given.sql)) ?? [];
          const s = stub.basin.streams.get(stream ?? "");
          const k = stub.basin.sinks.get(sink ?? "");
          if (!s || !k) return fail(400, 2, "the pipeline's SQL names no existing stream and sink");
          created.status = "active";
          created.tables = [
            { id: s.id, name: s.name, type: "stream", version: 1, latest: 1 },
            { id: k.id, name: k.name, type: "sink", version: 1, latest: 1 },
          ];
        }
        all.set(created.name, created);
        stub.changes.push(`create ${kind.slice(0, -1)} ${created.name}`);
        return ok(created);
      }
    }
    if (method === "POST" && path === `${account}/pipelines/v1/validate_sql`)
      return ok({ tables: {}, graph: { nodes: [], edges: [] } });
    // The pipelines of the API before Basin, which `basin pipelines get` tries for a name it does not find.
    m = path.match(new RegExp(`^${account}/pipelines/([^/]+)$`));
    if (m && method === "GET") return fail(404, 1000, "Pipeline does not exist");

    // Workers
    m = path.match(new RegExp(`^${account}/workers/(?:scripts|services|workers)/([^/]+)(/.*)?$`));
    if (m) {
      const name = m[1] ?? "";
      const rest = m[2] ?? "";
      const script = stub.scripts.get(name);
      const missing = fail(404, 10007, "This Worker does not exist on your account.");
      if (method === "GET" && rest === "" && path.includes("/workers/workers/")) {
        return script ? ok({ id: name, name, subdomain: { enabled: true, previews_enabled: true } }) : missing;
      }
      if (method === "GET" && rest === "" && path.includes("/services/")) {
        return script
          ? ok({ id: name, default_environment: { environment: "production", script: { id: name } } })
          : missing;
      }
      if (method === "GET" && rest === "/secrets")
        return script ? ok([...script.secrets.keys()].map((n) => ({ name: n, type: "secret_text" }))) : missing;
      if (method === "GET" && rest === "/settings")
        return script ? ok({ bindings: script.bindings.map(({ text: _text, ...b }) => b) }) : missing;
      if (method === "POST" && rest === "/assets-upload-session") return ok({ jwt: "assets-jwt", buckets: [] });
      if (method === "PUT" && rest === "") {
        const fields = await formFields(req, body);
        const metadata = JSON.parse(fields.get("metadata") ?? "{}");
        const secrets = new Map(script?.secrets);
        const bindings: UploadedBinding[] = [];
        for (const binding of (metadata.bindings ?? []) as UploadedBinding[]) {
          if (binding.type === "secret_text") {
            if (secrets.get(binding.name) !== binding.text) stub.changes.push(`set secret ${binding.name}`);
            secrets.set(binding.name, String(binding.text));
          }
          if (binding.type !== "inherit") {
            bindings.push(binding);
            continue;
          }
          // An inherited binding keeps what the previous version had under its name.
          const previous = script?.bindings.find((b) => b.name === binding.name);
          if (!previous) return fail(400, 10021, `inherit binding '${binding.name}' is invalid`);
          bindings.push(previous);
        }
        stub.scripts.set(name, {
          bindings,
          secrets,
          crons: script?.crons ?? [],
          consumers: script?.consumers ?? [],
          uploads: (script?.uploads ?? 0) + 1,
        });
        stub.changes.push(`upload ${name}`);
        return ok({ id: name, etag: "etag", deployment_id: randomUUID(), startup_time_ms: 1 });
      }
      if (method === "PUT" && rest === "/schedules") {
        const crons = (json() as { cron: string }[]).map((s) => s.cron);
        if (script) script.crons = crons;
        return ok({ schedules: crons.map((cron) => ({ cron })) });
      }
      if (method === "GET" && rest === "/subdomain") return ok({ enabled: true, previews_enabled: true });
      if (method === "POST" && rest === "/subdomain") return ok({ enabled: true, previews_enabled: true });
      if (method === "GET" && rest === "/deployments") return ok({ deployments: [] });
    }
    if (method === "GET" && path === `${account}/workers/subdomain`) return ok({ subdomain: SUBDOMAIN });
    if (method === "GET" && path === `${account}/workers/durable_objects/namespaces`) return ok([]);
    return undefined;
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://stub");
    stub.requests.push(`${req.method} ${url.pathname}`);
    let answer: { status: number; body: unknown } | undefined;
    try {
      answer = await route(req, Buffer.concat(chunks), url);
    } catch (err) {
      answer = fail(500, 10000, `stub error: ${(err as Error).message}`);
    }
    if (answer === undefined) {
      stub.unknown.push(`${req.method} ${url.pathname}${url.search}`);
      answer = fail(500, 10000, `The Cloudflare API stub does not know ${req.method} ${url.pathname}`);
    }
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
