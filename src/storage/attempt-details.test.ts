import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type AttemptDetail, attemptsKey, attemptsObject, readAttemptDetail } from "./attempt-details";

const detail = (i: number, deliveryIds: string[], body = `answer ${i}`): AttemptDetail => ({
  deliveryIds,
  attemptedAt: 1_000 + i,
  durationMs: i,
  request: {
    method: "POST",
    url: "https://example.com/…",
    headers: { "webhook-id": deliveryIds[0] ?? "" },
    body: "{}",
  },
  answer: { status: 200, headers: {}, body },
  error: null,
});

describe("attempts objects", () => {
  it("keep a batch's attempts as gzip NDJSON and find each by delivery and time, a digest's under each of its deliveries", async () => {
    const key = attemptsKey(crypto.randomUUID(), Date.UTC(2026, 11, 6, 23, 59));
    expect(key).toMatch(/^attempts\/2026-12-06\/[\w-]+\.ndjson\.gz$/);
    const object = attemptsObject(key);
    // Answers of 64 KB, so lines cross the stream's chunks.
    const all = [
      detail(0, ["dlv_a"], "x".repeat(65_536)),
      detail(1, ["dlv_b", "dlv_c"], "y".repeat(65_536)),
      detail(2, ["dlv_a"]),
    ];
    for (const d of all) object.add(d);
    expect(await object.put(env.ARCHIVE)).toBe(3);
    expect(await readAttemptDetail(env.ARCHIVE, key, "dlv_a", 1_002)).toEqual({ state: "kept", detail: all[2] });
    expect(await readAttemptDetail(env.ARCHIVE, key, "dlv_c", 1_001)).toEqual({ state: "kept", detail: all[1] });
    expect(await readAttemptDetail(env.ARCHIVE, key, "dlv_a", 1_001)).toEqual({ state: "not_kept" });
    expect(await readAttemptDetail(env.ARCHIVE, "attempts/2020-01-01/gone.ndjson.gz", "dlv_a", 1_000)).toEqual({
      state: "not_kept",
    });
    expect(await readAttemptDetail(env.ARCHIVE, null, "dlv_a", 1_000)).toEqual({ state: "none" });
  });

  it("write nothing for a batch that sent nothing", async () => {
    const key = attemptsKey(crypto.randomUUID(), Date.now());
    expect(await attemptsObject(key).put(env.ARCHIVE)).toBe(0);
    expect(await env.ARCHIVE.head(key)).toBeNull();
  });
});
