import type { OutboundRequest, ReceiverResponse, Verdict } from "../../messages/types";

/** Most of a receiver's body that is read; classification needs only its start. */
const MAX_BODY_CHARS = 64 * 1024;

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
    const body = (await res.text()).slice(0, MAX_BODY_CHARS);
    return { durationMs: Date.now() - started, response: { status: res.status, headers: res.headers, body } };
  } catch (err) {
    const name = (err as Error).name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    const error = timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${(err as Error).message}`;
    return { durationMs: Date.now() - started, error, timedOut };
  }
}

/** How an attempt went: the destination type's reading of the answer, or a retry when none came. */
export function verdictOf(result: SendResult, classify: (response: ReceiverResponse) => Verdict): Verdict {
  return "error" in result ? { outcome: "retry", reason: result.error } : classify(result.response);
}
