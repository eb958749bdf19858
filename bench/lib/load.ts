import { assertLoopback } from "./ports.ts";
import { type PlatformRecord, pushBody } from "./records.ts";
import { percentile } from "./stats.ts";

/** What one request did, as the bench checks it. */
export interface Outcome {
  ok: boolean;
  /** Records the server said it stored. */
  records: number;
  error?: string;
}

/** The figures of one load run. */
export interface LoadResult {
  requests: number;
  failed: number;
  records: number;
  wallMs: number;
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The first few distinct errors. */
  errors: string[];
}

/**
 * Sends `items` with `concurrency` requests in flight until they are all sent or `maxMs` has passed (requests
 * in flight then are waited for). Latency is per request, from send to the end of the answer's body.
 */
export async function runLoad<T>(options: {
  items: readonly T[];
  concurrency: number;
  maxMs: number;
  send: (item: T) => Promise<Outcome>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors = new Set<string>();
  let next = 0;
  let failed = 0;
  let records = 0;
  const started = performance.now();
  const deadline = started + options.maxMs;
  const worker = async () => {
    while (next < options.items.length && performance.now() < deadline) {
      const item = options.items[next++] as T;
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await options.send(item);
      } catch (err) {
        outcome = { ok: false, records: 0, error: (err as Error).message };
      }
      latencies.push(performance.now() - t0);
      records += outcome.records;
      if (!outcome.ok) {
        failed += 1;
        if (errors.size < 5) errors.add(outcome.error ?? "failed");
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const wallMs = performance.now() - started;
  return {
    requests: latencies.length,
    failed,
    records,
    wallMs,
    recordsPerSecond: (records / wallMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors: [...errors],
  };
}

/** POSTs a push and checks the answer is 200 with every record accepted. */
export async function postPush(url: string, body: string, expected: number): Promise<Outcome> {
  assertLoopback(url);
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  if (res.status !== 200) return { ok: false, records: 0, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  const answer = JSON.parse(text) as { accepted?: number; rejected?: unknown[] };
  const accepted = answer.accepted ?? 0;
  if (accepted !== expected) {
    const why = JSON.stringify(answer.rejected ?? []).slice(0, 200);
    return { ok: false, records: accepted, error: `accepted ${accepted} of ${expected}: ${why}` };
  }
  return { ok: true, records: accepted };
}

/**
 * Pushes `pushes` bodies of `batch` records made by `next` to `url`, `inFlight` at a time; throws unless every
 * push stored every record.
 */
export async function pushBatches(options: {
  url: string;
  pushes: number;
  batch: number;
  inFlight: number;
  next: () => PlatformRecord;
}): Promise<LoadResult> {
  const bodies = Array.from({ length: options.pushes }, () =>
    pushBody(Array.from({ length: options.batch }, options.next)),
  );
  const result = await runLoad({
    items: bodies,
    concurrency: options.inFlight,
    maxMs: 3_600_000,
    send: (body) => postPush(options.url, body, options.batch),
  });
  if (result.failed > 0) throw new Error(`pushes failed: ${result.errors.join("; ")}`);
  return result;
}
