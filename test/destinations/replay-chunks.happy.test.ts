import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, createDestination, push, record, rows } from "../support/worker";

interface Chunk {
  created: number;
  scanned: number;
  complete: boolean;
  nextCursor: string | null;
}

describe("replay in chunks", () => {
  it("reads at most 2,000 calls per request and continues from nextCursor", async () => {
    const start = Date.UTC(2005, 0, 1);
    const records = Array.from({ length: 2_001 }, () => record());
    expect((await push({ array: records })).status).toBe(200);
    await env.DB.prepare("UPDATE calls SET received_at = ? + id WHERE voice_id IN (SELECT value FROM json_each(?))")
      .bind(start, JSON.stringify(records.map((r) => r.voiceId)))
      .run();
    const dest = await createDestination({
      type: "webhook",
      config: { url: "https://example.com/hook" },
      enabled: false,
    });

    const body = { since: new Date(start).toISOString(), until: new Date(start + 86_400_000).toISOString() };
    const first = await (await admin(`/destinations/${dest.id}/replay`, { body })).json<Chunk>();
    expect(first).toEqual({ created: 2_000, scanned: 2_000, complete: false, nextCursor: expect.any(String) });
    const second = await (
      await admin(`/destinations/${dest.id}/replay`, { body: { ...body, cursor: first.nextCursor } })
    ).json<Chunk>();
    expect(second).toEqual({ created: 1, scanned: 1, complete: true, nextCursor: null });

    const created = await rows<{ n: number; voices: number }>(
      "SELECT count(*) AS n, count(DISTINCT voice_id) AS voices FROM deliveries WHERE destination_id = ? AND status = 'paused'",
      dest.id,
    );
    expect(created).toEqual([{ n: 2_001, voices: 2_001 }]);
  });
});
