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

const PREFIX = "raw/";

/** Where a push body lives in the archive: `raw/<yyyy-mm-dd (UTC)>/<pushId>.json.gz`, so keys sort by day. */
export function archiveKey(pushId: string, receivedAt: number): string {
  return `${PREFIX}${new Date(receivedAt).toISOString().slice(0, 10)}/${pushId}.json.gz`;
}

/** Compresses a body with gzip (`CompressionStream`). */
export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

/** Stores a push body gzip-compressed, with what is needed to ingest it again as custom metadata. */
export async function putArchive(bucket: R2Bucket, key: string, body: string, push: ArchivedPush): Promise<void> {
  const metadata: Record<string, string> = {
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

/** A body read back from the archive with its metadata, or null when it is not (or no longer) there. */
export async function readArchive(bucket: R2Bucket, key: string): Promise<{ body: string; push: ArchivedPush } | null> {
  const object = await bucket.get(key);
  if (object === null) return null;
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

/** Most keys one `R2Bucket.delete` takes. */
const DELETE_MAX = 1_000;

/**
 * Deletes archived bodies of days before `cutoff`'s UTC day, oldest first, at most one listing (1,000 keys)
 * per call: keys sort by day, so the listing stops at the first day still kept. Returns how many it deleted.
 */
export async function expireArchive(bucket: R2Bucket, cutoff: number): Promise<number> {
  const keepFrom = archiveKey("", cutoff).slice(0, PREFIX.length + 10);
  const listed = await bucket.list({ prefix: PREFIX, limit: DELETE_MAX });
  const expired = listed.objects.map((o) => o.key).filter((key) => key < keepFrom);
  if (expired.length > 0) await bucket.delete(expired);
  return expired.length;
}
