import { scrub } from "../../lib/log-error";
import type { OutboundRequest, ReceiverResponse, Verdict } from "../../messages/types";

/** Most of a receiver's body that is read (bytes); classification needs only its start. The rest is cancelled unread. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The first `maxBytes` of a body, read as a stream; the rest is cancelled, never downloaded. */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, maxBytes - size));
      size += Math.min(value.byteLength, maxBytes - size);
    }
  } finally {
    if (size >= maxBytes) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** One HTTP attempt: the receiver's answer, or why there was none. */
export type SendResult = { durationMs: number } & (
  | { response: ReceiverResponse }
  | { error: string; timedOut: boolean }
);

/** POSTs a rendered request once: no redirects followed, aborted after `timeoutMs`. */
export async function send(request: OutboundRequest, timeoutMs: number): Promise<SendResult> {
  const started = Date.now();
  try {
    const res = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await readAtMost(res.body, MAX_BODY_BYTES);
    return { durationMs: Date.now() - started, response: { status: res.status, headers: res.headers, body } };
  } catch (err) {
    const name = (err as Error).name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    // A fetch error can quote the URL, and a chat destination's URL is a secret: never stored whole.
    const error = timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${scrub((err as Error).message)}`;
    return { durationMs: Date.now() - started, error, timedOut };
  }
}

/** How an attempt went: the destination type's reading of the answer, or a retry when none came. */
export function verdictOf(result: SendResult, classify: (response: ReceiverResponse) => Verdict): Verdict {
  return "error" in result ? { outcome: "retry", reason: result.error } : classify(result.response);
}
