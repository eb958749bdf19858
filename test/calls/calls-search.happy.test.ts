import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, push, record, rows } from "../support/worker";

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);
const randomDigits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");

async function voiceIds(query: string) {
  const res = await admin(`/calls?${query}`);
  expect(res.status).toBe(200);
  return (await res.json<{ data: { voiceId: string }[] }>()).data.map((c) => c.voiceId);
}

describe("GET /calls?callee=", () => {
  const taskId = uniqueTaskId();
  const number = `86139${randomDigits(8)}`;
  const plain = record({ taskId, callee: number });
  const written = record({ taskId, callee: `+86 139-${number.slice(5, 9)}-${number.slice(9)}` });
  const prefixed = record({ taskId, callee: `222222${number}` });
  const other = record({ taskId, callee: `86139${randomDigits(8)}` });

  beforeAll(async () => {
    expect((await push({ array: [plain, written, prefixed, other] })).status).toBe(200);
  });

  it.each([
    ["the whole number", number, [prefixed, written, plain]],
    [
      "the number with + and separators",
      encodeURIComponent(`+86 (139) ${number.slice(5, 9)}-${number.slice(9)}`),
      [prefixed, written, plain],
    ],
    ["its last 6 digits", number.slice(-6), [prefixed, written, plain]],
    ["its last 4 digits", number.slice(-4), [prefixed, written, plain]],
    ["the number without its country code", number.slice(2), [prefixed, written, plain]],
    ["the routing prefix and number", `222222${number}`, [prefixed]],
  ])("finds calls by %s", async (_, callee, expected) => {
    const found = await voiceIds(`taskId=${taskId}&callee=${callee}`);
    expect(found.filter((v) => v !== other.voiceId && expected.some((r) => r.voiceId === v))).toEqual(
      expected.map((r) => r.voiceId),
    );
    expect(found).not.toContain(other.voiceId);
  });

  it("finds the whole number without any other filter", async () => {
    expect(await voiceIds(`callee=${number}`)).toEqual([prefixed, written, plain].map((r) => r.voiceId));
  });

  it("reads the phone index, never the whole table", async () => {
    const plan = await rows<{ detail: string }>(
      "EXPLAIN QUERY PLAN SELECT id FROM calls WHERE callee_key >= ? AND callee_key < ? ORDER BY id DESC LIMIT 51",
      "3000",
      "3000:",
    );
    expect(plan.map((p) => p.detail).join("\n")).toMatch(/USING (COVERING )?INDEX calls_callee_key_idx/);
  });

  it("keeps the phone key out of the API's call", async () => {
    const res = await admin(`/calls?callee=${number}&limit=1`);
    const [call] = (await res.json<{ data: Record<string, unknown>[] }>()).data;
    expect(call).not.toHaveProperty("calleeKey");
    expect(call).not.toHaveProperty("callAt");
  });
});

describe("GET /calls windows on the call's own time", () => {
  const taskId = uniqueTaskId();
  // The platform's times are UTC+8: 23:30 on the 25th is 15:30Z, 00:30 on the 26th is 16:30Z.
  const lateEvening = record({ taskId, callTime: "2026-03-25 23:30:00" });
  const afterMidnight = record({ taskId, callTime: "2026-03-26 00:30:00" });
  const noCallTime = record({ taskId, callTime: null, submitTime: "2026-03-26 08:00:00" });

  beforeAll(async () => {
    expect((await push({ array: [lateEvening, afterMidnight, noCallTime] })).status).toBe(200);
  });

  it.each([
    ["since=2026-03-26&until=2026-03-27", [noCallTime, afterMidnight]],
    ["since=2026-03-25&until=2026-03-26", [lateEvening]],
    ["since=2026-03-26&until=2026-03-27&timezone=Asia%2FShanghai", [noCallTime, afterMidnight]],
    ["since=2026-03-26&until=2026-03-27&timezone=UTC", [noCallTime]],
    ["since=2026-03-25&until=2026-03-26&timezone=UTC", [afterMidnight, lateEvening]],
    ["since=2026-03-26T00:00&until=2026-03-26T01:00", [afterMidnight]],
    ["since=2026-03-25T16:00:00Z&until=2026-03-25T17:00:00Z", [afterMidnight]],
    ["until=2026-03-26&timezone=America%2FNew_York", [noCallTime, afterMidnight, lateEvening]],
    ["since=2026-03-26&timezone=America%2FNew_York", []],
  ])("applies %s (default timezone Asia/Shanghai)", async (query, expected) => {
    expect(await voiceIds(`taskId=${taskId}&${query}`)).toEqual(expected.map((r) => r.voiceId));
  });

  it("applies the window on receivedAt with timeField=receivedAt", async () => {
    const all = [noCallTime, afterMidnight, lateEvening].map((r) => r.voiceId);
    expect(await voiceIds(`taskId=${taskId}&since=2026-03-26&timeField=receivedAt`)).toEqual(all);
    expect(await voiceIds(`taskId=${taskId}&until=2026-03-26&timeField=receivedAt`)).toEqual([]);
  });

  it("uses DEFAULT_TIMEZONE", () => {
    expect(env.DEFAULT_TIMEZONE).toBe("Asia/Shanghai");
  });
});

describe("GET /calls with a call-time window pages by call time", () => {
  const taskId = uniqueTaskId();
  // Pushed in an order unrelated to their call times, three of them at the same second.
  const times = ["10:00:05", "10:00:01", "10:00:03", "10:00:03", "10:00:09", "10:00:03", "10:00:02"];
  const pushed = times.map((t) => record({ taskId, callTime: `2026-03-26 ${t}` }));

  beforeAll(async () => {
    expect((await push({ array: pushed })).status).toBe(200);
  });

  it("lists newest call time first and walks every call once with its cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(`/calls?taskId=${taskId}&since=2026-03-26&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = await res.json<{ data: { voiceId: string }[]; nextCursor: string | null }>();
      seen.push(...page.data.map((c) => c.voiceId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const expected = pushed
      .map((r, i) => ({ voiceId: r.voiceId, time: times[i] as string, i }))
      .sort((a, b) => b.time.localeCompare(a.time) || b.i - a.i)
      .map((r) => r.voiceId);
    expect(seen).toEqual(expected);
  });
});
