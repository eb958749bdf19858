import { env, exports } from "cloudflare:workers";
import { getDb } from "../../src/storage/db/client";
import { listAttempts } from "../../src/storage/delivery-attempts";
import sample from "../fixtures/sample-push.json";

export const PUSH_TOKEN = "test-push-token";
export const ADMIN_TOKEN = "test-admin-token";
export const BASE = "https://relay.test";

/** Authorization headers the admin API refuses, named for `it.each`. */
export const refusedAdminAuth: [string, string | undefined][] = [
  ["no Authorization header", undefined],
  ["a wrong token", "Bearer nope"],
  ["the push token", `Bearer ${PUSH_TOKEN}`],
];

/** POSTs a push body (an object is sent as JSON, a string as it is) through the real Worker. */
export function push(body: unknown, init: { token?: string; contentType?: string } = {}) {
  return exports.default.fetch(`${BASE}/push/${init.token ?? PUSH_TOKEN}`, {
    method: "POST",
    headers: { "content-type": init.contentType ?? "application/json;charset=UTF-8" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Calls the admin API with the admin token. */
export function admin(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  return exports.default.fetch(`${BASE}/api/v1${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** Every page of an admin list, following `nextCursor` from the first page of `path` (which may have a query). */
export async function allPages<T>(path: string, maxPages = 100): Promise<{ data: T[]; nextCursor: string | null }[]> {
  const pages: { data: T[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res = await admin(cursor === null ? path : `${path}${path.includes("?") ? "&" : "?"}cursor=${cursor}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const page = await res.json<{ data: T[]; nextCursor: string | null }>();
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > maxPages) throw new Error(`${path}: more than ${maxPages} pages`);
  } while (cursor !== null);
  return pages;
}

type SampleRecord = (typeof sample.array)[number];

let counter = 0;
/** A unique voiceId, so tests never see each other's rows. */
export function uniqueVoiceId(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${crypto.randomUUID().slice(0, 8)}${counter}`;
}

/** The sample record with a fresh voiceId and the given overrides. */
export function record(overrides: Record<string, unknown> = {}): SampleRecord & Record<string, unknown> {
  return { ...(sample.array[0] as SampleRecord), voiceId: uniqueVoiceId(), ...overrides };
}

/** Rows of a table matching a SQL condition, straight from D1. */
export async function rows<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]> {
  const { results } = await env.DB.prepare(query)
    .bind(...params)
    .all<T>();
  return results;
}

/** Creates a destination through the admin API and returns its JSON (with `secret` for webhooks). */
export async function createDestination(body: Record<string, unknown>) {
  const res = await admin("/destinations", { body: { name: "test", ...body } });
  if (res.status !== 201) throw new Error(`destination not created: ${res.status} ${await res.text()}`);
  return res.json<{ id: string; secret?: string; enabled: boolean }>();
}

export interface DeliveryRow {
  id: string;
  destination_id: string;
  voice_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
}

/** The deliveries of one call to one destination. */
export function deliveriesOf(destinationId: string, voiceId: string) {
  return rows<DeliveryRow>(
    "SELECT * FROM deliveries WHERE destination_id = ? AND voice_id = ?",
    destinationId,
    voiceId,
  );
}

/** Waits until the call's delivery to the destination has the status. */
export async function waitForStatus(destinationId: string, voiceId: string, status: string, timeout = 10_000) {
  const started = Date.now();
  for (;;) {
    const [delivery] = await deliveriesOf(destinationId, voiceId);
    if (delivery?.status === status) return delivery;
    if (Date.now() - started > timeout) {
      throw new Error(`delivery ${JSON.stringify(delivery)} did not reach ${status} in ${timeout} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The attempts of a delivery, oldest first (`listAttempts`: logged ones and a first-try success kept on its row). */
export async function attemptsOf(deliveryId: string) {
  const attempts = await listAttempts(getDb(env.DB), deliveryId, 1000);
  return attempts.map((a) => ({
    status_code: a.statusCode,
    outcome: a.outcome,
    error: a.error,
    response_body: a.responseBody,
  }));
}

/** The archive key D1 keeps for a push (null when its body was not archived). */
export async function archiveKeyOf(pushId: string | undefined): Promise<string | null> {
  const [row] = await rows<{ archive_key: string | null }>("SELECT archive_key FROM pushes WHERE id = ?", pushId);
  return row?.archive_key ?? null;
}

/** A push body straight from the R2 archive, gunzipped; null when none is there. */
export async function archivedBody(pushId: string | undefined): Promise<string | null> {
  const key = await archiveKeyOf(pushId);
  const object = key === null ? null : await env.ARCHIVE.get(key);
  if (object === null) return null;
  return new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
}

/** Deletes a push's body from the archive, as the retention sweep or a lifecycle rule would. */
export async function dropArchivedBody(pushId: string | undefined): Promise<void> {
  const key = await archiveKeyOf(pushId);
  if (key !== null) await env.ARCHIVE.delete(key);
}
