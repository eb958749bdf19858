const encoder = new TextEncoder();

/** The platform API's answer time limit. */
const TIMEOUT_MS = 10_000;

async function md5Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("MD5", encoder.encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The headers this vendor family documents: `Api-Key`, `Timestamp` (seconds), `Sign` = MD5(key + secret + timestamp). */
export async function platformHeaders(
  api: { key: string; secret: string },
  now: number,
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(now / 1000));
  return { "Api-Key": api.key, Timestamp: timestamp, Sign: await md5Hex(api.key + api.secret + timestamp) };
}

/** A fresh URL of a recording, or why there is none. */
export type RecordingUrl = { ok: true; url: string } | { ok: false; problem: string };

/**
 * Asks the platform for a fresh URL of a recording: `GET {base}/voice/getRecordingFileUrl?recordingFileId=…&sourceType=group`,
 * answering `{url, expireTime}` (also read inside a `data` object). Unconfirmed by the vendor for this product.
 */
export async function fetchRecordingUrl(
  api: { key: string; secret: string; base: string },
  recordingFileId: string,
  now = Date.now(),
): Promise<RecordingUrl> {
  const url = new URL(`${api.base}/voice/getRecordingFileUrl`);
  url.searchParams.set("recordingFileId", recordingFileId);
  url.searchParams.set("sourceType", "group");
  let res: Response;
  try {
    res = await fetch(url, { headers: await platformHeaders(api, now), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    return { ok: false, problem: `the platform API did not answer: ${(err as Error).message}` };
  }
  const text = await res.text();
  if (!res.ok) return { ok: false, problem: `the platform API answered ${res.status}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the platform API answered something other than JSON" };
  }
  const object = (body ?? {}) as { url?: unknown; data?: { url?: unknown } };
  const found = typeof object.url === "string" ? object.url : object.data?.url;
  if (typeof found !== "string" || !/^https?:\/\//.test(found)) {
    return { ok: false, problem: "the platform API answered without a recording URL" };
  }
  return { ok: true, url: found };
}
