import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../src/storage/db/client";
import { attemptsOf } from "../../src/storage/delivery-attempts";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, push, record, rows } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

async function settled(destinationId: string, n: number) {
  for (let i = 0; i < 200; i++) {
    const [row] = await rows<{ n: number }>(
      "SELECT count(*) AS n FROM deliveries WHERE destination_id = ? AND status IN ('delivered', 'failed')",
      destinationId,
    );
    if (row?.n === n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("deliveries never settled");
}

describe("destination health", () => {
  it("shows success rate, latency, last delivery and the trend after a burst with failures", async () => {
    const receiver = installReceiver();
    let i = 0;
    // Every fourth answer is a permanent refusal (fails for good without retries: 4xx other than 408/429).
    receiver.answer(() => (i++ % 4 === 3 ? new Response("no", { status: 400 }) : new Response("ok")));
    const taskId = 770_000 + Math.floor(Math.random() * 1000);
    const dest = await createDestination({
      name: `health-${taskId}`,
      type: "webhook",
      config: { url: hookUrl() },
      filter: { taskId },
    });
    expect((await push({ array: Array.from({ length: 8 }, () => record({ taskId })) })).status).toBe(200);
    await settled(dest.id, 8);
    const [counts] = await getDb(env.DB).all<{ ok: number; bad: number }>(
      sql`SELECT sum(outcome = 'delivered') AS ok, sum(outcome != 'delivered') AS bad
        FROM (${attemptsOf(sql`SELECT id FROM deliveries WHERE destination_id = ${dest.id}`)})`,
    );
    const ok = counts?.ok ?? 0;
    const total = ok + (counts?.bad ?? 0);
    expect(total).toBeGreaterThan(ok);
    const list = await (await page("/destinations", { cookie })).text();
    const row = list.slice(list.indexOf(`/destinations/${dest.id}"`));
    const pct = ((100 * ok) / total).toFixed(ok === total ? 0 : 1);
    expect(row).toMatch(new RegExp(`data-success-rate="${pct.replace(".", "\\.")}"`));
    expect(row).toMatch(/data-latency="true">≤ [\d,]+ ms \/ ≤ [\d,]+ ms/);
    expect(row).toMatch(/<svg class="spark"/);
    expect(row).toMatch(new RegExp(`<title>\\d\\d:\\d\\d: ${ok} / ${total - ok}</title>`));

    const detail = await (await page(`/destinations/${dest.id}?range=7d`, { cookie })).text();
    expect(detail).toContain('aria-current="page">7d</a>');
    expect(detail).toContain('aria-label="Error rate (%)"');
    expect(detail).toContain("Recent deliveries");
  });

  it("says until when and why a breaker holds deliveries, and resumes it", async () => {
    installReceiver();
    const dest = await createDestination({ name: "tripped", type: "webhook", config: { url: hookUrl() } });
    await rows(
      "UPDATE destinations SET circuit = 'open', fail_streak = 5, circuit_trips = 1, open_until = ? WHERE id = ?",
      Date.now() + 60_000,
      dest.id,
    );
    const list = await (await page("/destinations", { cookie })).text();
    expect(list).toContain("because 5 attempts in a row failed or timed out.");
    expect(list).toContain(`action="/destinations/${dest.id}/resume"`);
    expect((await page(`/destinations/${dest.id}/resume`, { cookie, form: {} })).status).toBe(303);
    const [row] = await rows<{ circuit: string; open_until: number | null }>(
      "SELECT circuit, open_until FROM destinations WHERE id = ?",
      dest.id,
    );
    expect(row).toEqual({ circuit: "closed", open_until: null });
  });
});
