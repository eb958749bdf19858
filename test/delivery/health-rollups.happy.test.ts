import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AttemptOutcome, recordStatements } from "../../src/pipeline/delivery/record";
import { runBatch } from "../../src/storage/db/batch";
import { getDb } from "../../src/storage/db/client";
import { attemptsOf } from "../../src/storage/delivery-attempts";
import { latencyBucket, readHealth } from "../../src/storage/health-rollups";

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 2, 26, 0);

/** The health of each destination and hour, recounted from the attempt log. */
async function recount(destinationIds: string[]) {
  const ofDestinations = sql`SELECT id FROM deliveries WHERE destination_id IN (SELECT value FROM json_each(${JSON.stringify(destinationIds)}))`;
  const attempts = await getDb(env.DB).all<{
    destination_id: string;
    attempted_at: number;
    duration_ms: number;
    outcome: string;
  }>(sql`SELECT d.destination_id, a.attempted_at, a.duration_ms, a.outcome FROM (${attemptsOf(ofDestinations)}) a
      JOIN deliveries d ON d.id = a.delivery_id`);
  const byKey = new Map<
    string,
    { delivered: number; failed: number; retried: number; durationMs: number; lastAt: number; lat: number[] }
  >();
  for (const a of attempts) {
    const key = `${a.destination_id}|${Math.floor(a.attempted_at / HOUR)}`;
    const h = byKey.get(key) ?? {
      delivered: 0,
      failed: 0,
      retried: 0,
      durationMs: 0,
      lastAt: 0,
      lat: new Array(9).fill(0),
    };
    if (a.outcome === "delivered") h.delivered++;
    else if (a.outcome === "failed") h.failed++;
    else h.retried++;
    h.durationMs += a.duration_ms;
    h.lastAt = Math.max(h.lastAt, a.attempted_at);
    h.lat[latencyBucket(a.duration_ms)]++;
    byKey.set(key, h);
  }
  return Object.fromEntries([...byKey].sort(([a], [b]) => a.localeCompare(b)));
}

async function rollups(destinationIds: string[]) {
  const found = await readHealth(getDb(env.DB), destinationIds, 0);
  return Object.fromEntries(
    found
      .map(({ destinationId, hour, ...h }) => [`${destinationId}|${hour}`, h] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

describe("destination health rollups", () => {
  it("equal a recount of every attempt (logged or kept on the row) after any sequence of outcomes, batch after batch", async () => {
    const outcome = fc.record({
      delivery: fc.nat({ max: 5 }),
      hour: fc.nat({ max: 3 }),
      minute: fc.nat({ max: 59 }),
      durationMs: fc.oneof(fc.nat({ max: 300 }), fc.nat({ max: 20_000 })),
      outcome: fc.constantFrom("delivered" as const, "retry" as const, "failed" as const),
    });
    // A batch attempts a delivery at most once; each attempt is claimed first (attempts + 1), as the consumer does, so a
    // first-try success is kept on the delivery's row and the others in the attempt log.
    const batches = fc.array(fc.uniqueArray(outcome, { minLength: 1, maxLength: 6, selector: (o) => o.delivery }), {
      minLength: 1,
      maxLength: 5,
    });
    await fc.assert(
      fc.asyncProperty(batches, async (sequence) => {
        const run = crypto.randomUUID().slice(0, 8);
        const destinationIds = [`dst_h_${run}_a`, `dst_h_${run}_b`];
        const deliveryIds = Array.from({ length: 6 }, (_, i) => `dlv_h_${run}_${i}`);
        for (const [i, id] of deliveryIds.entries()) {
          await env.DB.prepare(
            `INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, attempts, created_at, updated_at)
             VALUES (?, ?, 'src_default', ?, 'pending', 0, ?, ?)`,
          )
            .bind(id, destinationIds[i % 2], id, T0, T0)
            .run();
        }
        const claims = new Map<string, number>();
        const delivered = new Set<number>();
        for (const generated of sequence) {
          // A delivered delivery is never claimed again.
          const batch = generated.filter((o) => !delivered.has(o.delivery));
          for (const o of batch) if (o.outcome === "delivered") delivered.add(o.delivery);
          const claimed = batch.map((o) => deliveryIds[o.delivery] as string);
          for (const id of claimed) claims.set(id, (claims.get(id) ?? 0) + 1);
          await env.DB.prepare(
            "UPDATE deliveries SET attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?))",
          )
            .bind(JSON.stringify(claimed))
            .run();
          const outcomes: AttemptOutcome[] = batch.map((o) => ({
            id: deliveryIds[o.delivery] as string,
            attempts: claims.get(deliveryIds[o.delivery] as string) as number,
            attempt: {
              attemptedAt: T0 + o.hour * HOUR + o.minute * 60_000,
              durationMs: o.durationMs,
              outcome: o.outcome,
              statusCode: o.outcome === "delivered" ? 200 : 500,
            },
            status: o.outcome === "retry" ? "retrying" : o.outcome,
            nextAttemptAt: null,
            leaseUntil: null,
            lastError: null,
          }));
          await runBatch(env.DB, recordStatements(getDb(env.DB), outcomes, [], [], T0));
        }
        expect(await rollups(destinationIds)).toEqual(await recount(destinationIds));
      }),
      { numRuns: 20 },
    );
  });
});
