/** A request as a delivery sent it, its secrets already redacted. */
export interface RequestAsSent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A receiver's answer as the consumer read it (the first 64 KB of its body), secrets already redacted. */
export interface AnswerAsReceived {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request's attempt in full: a line of an attempts object. A chat digest's request carries several deliveries. */
export interface AttemptDetail {
  deliveryIds: string[];
  /** When the attempt ended: the `attempted_at` of its `delivery_attempts` rows. */
  attemptedAt: number;
  durationMs: number;
  request: RequestAsSent;
  /** Null when no answer came (timeout, network error: see `error`). */
  answer: AnswerAsReceived | null;
  error: string | null;
}

/** Where the attempts' details live in R2; the deploy's lifecycle rule and the retention sweep expire it by day. */
export const ATTEMPTS_PREFIX = "attempts/";

/** The object of one consumer batch's attempts: `attempts/<yyyy-mm-dd (UTC)>/<batchId>.ndjson.gz`, keys sorting by day. */
export function attemptsKey(batchId: string, at: number): string {
  return `${ATTEMPTS_PREFIX}${new Date(at).toISOString().slice(0, 10)}/${batchId}.ndjson.gz`;
}

/**
 * Collects a batch's attempt details as gzip NDJSON while they come (compressed as they are added, so a batch holds
 * its compressed bytes, not every answer in full), and stores them as one object at `key`.
 */
export function attemptsObject(key: string) {
  let stream: CompressionStream | undefined;
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let compressed: Promise<ArrayBuffer> | undefined;
  let written = Promise.resolve();
  let failed: unknown;
  let lines = 0;
  const encoder = new TextEncoder();
  return {
    key,
    add(detail: AttemptDetail) {
      if (!stream) {
        stream = new CompressionStream("gzip");
        compressed = new Response(stream.readable).arrayBuffer();
        writer = stream.writable.getWriter();
      }
      const line = encoder.encode(`${JSON.stringify(detail)}\n`);
      const w = writer as WritableStreamDefaultWriter<Uint8Array>;
      written = written
        .then(() => w.write(line))
        .catch((err: unknown) => {
          failed ??= err;
        });
      lines++;
    },
    /** Stores what was added (nothing when nothing was); answers how many attempts it holds. */
    async put(bucket: R2Bucket): Promise<number> {
      if (!writer || !compressed) return 0;
      await written;
      if (failed !== undefined) throw failed;
      await writer.close();
      await bucket.put(key, await compressed, {
        httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
        customMetadata: { attempts: String(lines) },
      });
      return lines;
    },
  };
}

/** What is known of an attempt's details: kept (and here they are), not kept (expired, or never stored), or none. */
export type DetailLookup = { state: "kept"; detail: AttemptDetail } | { state: "not_kept" } | { state: "none" };

/**
 * The details of one delivery's attempt, read from its batch's object line by line until found: `none` when the
 * attempt has no object (made before details were kept, or it failed before a request was sent), `not_kept` when the
 * object is gone (past `RAW_RETENTION_DAYS`, or its write failed) or does not hold it.
 */
export async function readAttemptDetail(
  bucket: R2Bucket,
  key: string | null,
  deliveryId: string,
  attemptedAt: number,
): Promise<DetailLookup> {
  if (key === null) return { state: "none" };
  const object = await bucket.get(key);
  if (object === null) return { state: "not_kept" };
  const reader = object.body
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream())
    .getReader();
  let rest = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      rest += value ?? "";
      const lines = rest.split("\n");
      rest = done ? "" : (lines.pop() ?? "");
      for (const line of lines) {
        if (line === "") continue;
        const detail = JSON.parse(line) as AttemptDetail;
        if (detail.attemptedAt === attemptedAt && detail.deliveryIds.includes(deliveryId))
          return { state: "kept", detail };
      }
      if (done) return { state: "not_kept" };
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
