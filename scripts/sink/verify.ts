import type { Webhook } from "standardwebhooks";

/** What the sink could say about a request's Standard Webhooks signature. */
export type Verification =
  | { state: "verified" }
  | { state: "invalid"; reason: string }
  /** A secret is set but the request has no `webhook-*` headers (e.g. a Slack message). */
  | { state: "unsigned" }
  /** No secret: nothing was checked. */
  | { state: "unchecked" };

const signatureHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

/** Checks `body` against the `webhook-*` headers with standardwebhooks (which also rejects stale timestamps). */
export function verifySignature(
  webhook: Webhook | undefined,
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
): Verification {
  if (!webhook) return { state: "unchecked" };
  if (signatureHeaders.every((name) => headers[name] === undefined)) return { state: "unsigned" };
  const present: Record<string, string> = {};
  for (const name of signatureHeaders) present[name] = headers[name] ?? "";
  try {
    webhook.verify(body, present);
    return { state: "verified" };
  } catch (err) {
    return { state: "invalid", reason: (err as Error).message };
  }
}
