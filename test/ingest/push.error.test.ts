import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { archivedBody, push, record, rows } from "../support/worker";

async function lastPush() {
  const [log] = await rows<{ id: string; status: string; error: string; bytes: number }>(
    "SELECT id, status, error, bytes FROM pushes ORDER BY received_at DESC, rowid DESC LIMIT 1",
  );
  return log;
}

describe("bodies that are not a push", () => {
  it("answers 400 for a body that is not JSON, and still logs it with its raw body", async () => {
    const res = await push("array=1&voiceId=2");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "bad_request", message: expect.stringMatching(/^Body is not valid JSON/) },
    });
    const log = await lastPush();
    expect(log).toMatchObject({ status: "invalid", error: expect.stringMatching(/not valid JSON/) });
    expect(await archivedBody(log?.id)).toBe("array=1&voiceId=2");
  });

  it.each([["{}"], ['{"array": {}}'], ["[]"], ["null"], ['{"records": []}']])("answers 400 for %s", async (text) => {
    const res = await push(text);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "bad_request", message: 'Body must be a JSON object with an "array" of call records' },
    });
    expect(await archivedBody((await lastPush())?.id)).toBe(text);
  });

  it("answers 413 for a body over MAX_PUSH_BYTES and logs the attempt without the body", async () => {
    const max = Number(env.MAX_PUSH_BYTES);
    const big = JSON.stringify({ array: [record({ calledInfo: "x".repeat(max) })] });
    const res = await push(big);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "payload_too_large", message: `Body is larger than ${max} bytes` },
    });
    const log = await lastPush();
    expect(log).toMatchObject({ status: "too_large" });
    expect(log?.bytes).toBeGreaterThan(max);
    expect(await archivedBody(log?.id)).toBeNull();
  });

  it("accepts an empty array", async () => {
    const res = await push({ array: [] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [] });
  });
});

describe("any body at all", () => {
  it("never gets a 500, and every record reported accepted is in D1", async () => {
    const anyRecord = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          voiceId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          answerTime: fc.oneof(fc.jsonValue(), fc.integer(), fc.stringMatching(/^\d{14}$/)),
          callDuration: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
          intentCode: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          callStatusNew: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    const anyBody = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.array(anyRecord, { maxLength: 8 }).map((array) => JSON.stringify({ array })),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(anyBody, async (text) => {
        const res = await push(text);
        expect([200, 400]).toContain(res.status);
        if (res.status !== 200) return;
        const { pushId, accepted, rejected } = await res.json<{
          pushId: string;
          accepted: number;
          rejected: unknown[];
        }>();
        const array = (JSON.parse(text) as { array: unknown[] }).array;
        expect(accepted + rejected.length).toBe(array.length);
        const rejectedIndexes = new Set(rejected.map((r: unknown) => (r as { index: number }).index));
        for (const [i, rec] of array.entries()) {
          if (rejectedIndexes.has(i)) continue;
          const voiceId = String((rec as { voiceId: unknown }).voiceId).trim();
          expect(
            await rows("SELECT 1 FROM calls WHERE voice_id = ? AND source_id = 'src_default'", voiceId),
          ).toHaveLength(1);
        }
        if (array.length > 0 && accepted > 0) {
          expect(await rows("SELECT 1 FROM pushes WHERE id = ? AND accepted = ?", pushId, accepted)).toHaveLength(1);
        }
      }),
      { numRuns: 60 },
    );
  });
});
