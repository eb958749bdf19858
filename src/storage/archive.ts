/** What the archive keeps next to a body: enough to ingest it again without D1. */
export interface ArchivedPush {
  pushId: string;
  sourceId: string;
  receivedAt: number;
  contentType: string | null;
  bytes: number;
  /** Set for a body stored while D1 was unavailable: the `default` source still needs its row. */
  ensureDefaultSource?: boolean;
  reprocessedFrom?: string;
}

/** Where push bodies live (`raw/<yyyy-mm-dd>/…`): the deploy's lifecycle rule expires it. */
export const RAW_PREFIX = "raw/";

/**
 * Prefix of the markers of pushes waiting for ingest; the cron sweep lists it as the queue's backstop. Like a
 * set-aside marker, each holds a copy of its push's body (see {@link putMarker}).
 */
export const QUEUED_PREFIX = "queued/";

/** Prefix of the markers of pushes set aside (D1 refused them for good) until they are reprocessed. */
export const SET_ASIDE_PREFIX = "set_aside/";

/** The marker of a push queued for D1. */
export const queuedMarker = (pushId: string) => `${QUEUED_PREFIX}${pushId}`;

/** The marker of a push set aside; its `key` metadata names the archived body retention must keep. */
export const setAsideMarker = (pushId: string) => `${SET_ASIDE_PREFIX}${pushId}`;

/** Where a push body lives in the archive: `raw/<yyyy-mm-dd (UTC)>/<pushId>.json.gz`, so keys sort by day. */
export function archiveKey(pushId: string, receivedAt: number): string {
  return `${RAW_PREFIX}${new Date(receivedAt).toISOString().slice(0, 10)}/${pushId}.json.gz`;
}

/** Compresses a body with gzip (`CompressionStream`). */
export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

/**
 * Stores a push body gzip-compressed, with what is needed to ingest it again as custom metadata (plus `extra`).
 */
export async function putArchive(
  bucket: R2Bucket,
  key: string,
  body: string,
  push: ArchivedPush,
  extra: Record<string, string> = {},
): Promise<void> {
  const metadata: Record<string, string> = {
    ...extra,
    pushId: push.pushId,
    sourceId: push.sourceId,
    receivedAt: String(push.receivedAt),
    bytes: String(push.bytes),
  };
  if (push.contentType !== null) metadata.contentType = push.contentType;
  if (push.ensureDefaultSource) metadata.ensureDefaultSource = "1";
  if (push.reprocessedFrom !== undefined) metadata.reprocessedFrom = push.reprocessedFrom;
  await bucket.put(key, await gzip(body), {
    httpMetadata: { contentType: "application/json", contentEncoding: "gzip" },
    customMetadata: metadata,
  });
}

/**
 * Writes the marker of a push queued or set aside (`marker`, under {@link QUEUED_PREFIX} or
 * {@link SET_ASIDE_PREFIX}) holding its own copy of the body, gzip-compressed like the archive's, and the archived
 * body's `key` as metadata. The deploy's lifecycle rule expires `raw/*` whatever retention pins, never these
 * prefixes, so the body outlives it until the marker goes (the push is ingested or resolved).
 */
export function putMarker(bucket: R2Bucket, marker: string, key: string, body: string, push: ArchivedPush) {
  return putArchive(bucket, marker, body, push, { key });
}

/**
 * A body read back from the archive with its metadata, or null when it is not (or no longer) there. An empty
 * object (a marker written before markers held their body) has none.
 */
export async function readArchive(bucket: R2Bucket, key: string): Promise<{ body: string; push: ArchivedPush } | null> {
  const object = await bucket.get(key);
  if (object === null) return null;
  if (object.size === 0) {
    await object.body.cancel();
    return null;
  }
  const body = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  const m = object.customMetadata ?? {};
  return {
    body,
    push: {
      pushId: m.pushId ?? "",
      sourceId: m.sourceId ?? "",
      receivedAt: Number(m.receivedAt),
      contentType: m.contentType ?? null,
      bytes: Number(m.bytes),
      ensureDefaultSource: m.ensureDefaultSource === "1",
      reprocessedFrom: m.reprocessedFrom,
    },
  };
}

/** A queued or set-aside push's body: the archived one at `key`, else its marker's copy (once `raw/` expired). */
export async function readKept(bucket: R2Bucket, key: string, marker: string) {
  return (await readArchive(bucket, key)) ?? readArchive(bucket, marker);
}

/** Most keys one `R2Bucket.delete` takes. */
const DELETE_MAX = 1_000;

/**
 * The bodies that must outlive retention: those whose marker is under one of `prefixes` (pushes still queued for
 * D1, pushes set aside), named by the marker's `key` metadata. Null when there are more markers than one listing
 * holds: then nothing is known to be safe to delete.
 */
async function pinnedBodies(bucket: R2Bucket, prefixes: readonly string[]): Promise<Set<string> | null> {
  const keys = new Set<string>();
  for (const prefix of prefixes) {
    const listed = await bucket.list({ prefix, limit: DELETE_MAX, include: ["customMetadata"] });
    if (listed.truncated) return null;
    for (const marker of listed.objects) if (marker.customMetadata?.key) keys.add(marker.customMetadata.key);
  }
  return keys;
}

/**
 * Deletes archived objects under `prefix` (keys `<prefix><yyyy-mm-dd>/…`, push bodies by default) of days before
 * `cutoff`'s UTC day, oldest first, at most one listing (1,000 keys) per call: keys sort by day, so the listing stops
 * at the first day still kept. A body whose push is still marked under one of `pinnedBy` (queued, set aside) is kept;
 * nothing is deleted when those markers cannot all be read. Returns how many it deleted.
 */
export async function expireArchive(
  bucket: R2Bucket,
  cutoff: number,
  pinnedBy: readonly string[],
  prefix = RAW_PREFIX,
): Promise<number> {
  const keepFrom = `${prefix}${new Date(cutoff).toISOString().slice(0, 10)}`;
  const listed = await bucket.list({ prefix, limit: DELETE_MAX });
  const old = listed.objects.map((o) => o.key).filter((key) => key < keepFrom);
  if (old.length === 0) return 0;
  const pinned = await pinnedBodies(bucket, pinnedBy);
  if (pinned === null) return 0;
  const expired = old.filter((key) => !pinned.has(key));
  if (expired.length > 0) await bucket.delete(expired);
  return expired.length;
}
