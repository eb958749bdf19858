import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admin, push, record, rows } from "../support/worker";

async function createSource() {
  const res = await admin("/sources", { body: { name: `src-${crypto.randomUUID()}` } });
  return res.json<{ id: string; token: string }>();
}

interface TaskStats {
  countedSince: string | null;
  tasks: {
    taskId: number | null;
    calls: number;
    connected: number;
    connectRate: number | null;
    intents: { intentCode: string | null; calls: number }[];
    talkSeconds: number;
    averageTalkSeconds: number | null;
    chargedSeconds: number;
    chargedMinutes: number;
    aiChargedSeconds: number;
    costs: Record<string, unknown>[];
    matching: { calls: number; connected: number } | null;
  }[];
}

async function taskStats(query: string) {
  const res = await admin(`/stats/tasks?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<TaskStats>();
}

const march26 = "since=2026-03-26&until=2026-03-27";
const at = (hour: string) => `2026-03-26 ${hour}:15:00`;

describe("GET /stats/tasks", () => {
  it("sums calls, connect rate, intents, talk time, billed minutes and each currency's cost per task", async () => {
    const source = await createSource();
    const lead = { taskId: 41, callStatusNew: 1, intentCode: "302", callDuration: 30, chargedDuration: 60 };
    await push(
      {
        array: [
          record({ ...lead, callTime: at("09"), cost: "0.12", aiAgentQuoteFee: "0.1" }),
          record({
            ...lead,
            callTime: at("10"),
            intentCode: "303",
            callDuration: 95,
            cost: "0.3",
            aiAgentQuoteFee: "0.25",
          }),
          record({
            ...lead,
            callTime: at("10"),
            intentCode: "301",
            callDuration: 5,
            cost: "0.06",
            aiAgentQuoteFee: "0.1",
          }),
          record({
            taskId: 41,
            callStatusNew: 3,
            intentCode: null,
            callDuration: 0,
            chargedDuration: 0,
            cost: "0",
            aiAgentQuoteFee: "0",
            callTime: at("11"),
          }),
          record({ ...lead, callTime: at("11"), currency: "EUR", cost: "1.000001", aiAgentQuoteFee: "0.5" }),
          record({ ...lead, taskId: 42, callTime: at("12"), cost: "2", aiAgentQuoteFee: "0" }),
        ],
      },
      source,
    );
    const all = await taskStats(`sourceId=${source.id}&${march26}`);
    expect(all.countedSince).toBeNull();
    expect(all.tasks.map((t) => t.taskId)).toEqual([41, 42]);
    const [task41] = all.tasks;
    expect(task41).toMatchObject({
      calls: 5,
      connected: 4,
      connectRate: 0.8,
      intents: [
        { intentCode: "302", calls: 2 },
        { intentCode: "301", calls: 1 },
        { intentCode: "303", calls: 1 },
        { intentCode: null, calls: 1 },
      ],
      talkSeconds: 160,
      averageTalkSeconds: 40,
      chargedSeconds: 240,
      chargedMinutes: 4,
      aiChargedSeconds: 300,
      matching: null,
    });
    expect(task41?.costs).toEqual([
      {
        currency: "EUR",
        calls: 1,
        connected: 1,
        line: "1.000001",
        aiAgent: "0.5",
        total: "1.500001",
        perConnectedCall: "1.500001",
        matching: null,
      },
      {
        currency: "USD",
        calls: 4,
        connected: 3,
        line: "0.48",
        aiAgent: "0.45",
        total: "0.93",
        perConnectedCall: "0.31",
        matching: null,
      },
    ]);

    const leads = await taskStats(
      `sourceId=${source.id}&${march26}&filter=${encodeURIComponent('{"intentCode":{"$in":["302","303"]}}')}`,
    );
    expect(leads.tasks[0]?.matching).toEqual({ calls: 3, connected: 3 });
    expect(leads.tasks[0]?.costs[1]).toMatchObject({
      currency: "USD",
      matching: { calls: 2, total: "0.77", perMatchingCall: "0.385", spendPerMatchingCall: "0.465" },
    });
    expect(leads.tasks[1]).toMatchObject({ taskId: 42, matching: { calls: 1, connected: 1 } });

    const hours = await taskStats(
      `sourceId=${source.id}&since=2026-03-26T10:00:00Z&until=2026-03-26T11:00:00Z&timezone=UTC`,
    );
    expect(hours.tasks).toEqual([]);
  });

  it("moves the sums when a re-push changes a call, and counts a call pushed twice once", async () => {
    const source = await createSource();
    const call = record({
      taskId: 7,
      callStatusNew: 1,
      intentCode: "302",
      callTime: at("09"),
      cost: "0.5",
      aiAgentQuoteFee: "0.1",
      callDuration: 20,
      chargedDuration: 60,
    });
    await push({ array: [call, call] }, source);
    await push({ array: [call] }, source);
    expect((await taskStats(`sourceId=${source.id}&${march26}`)).tasks[0]).toMatchObject({ calls: 1, talkSeconds: 20 });
    await push({ array: [{ ...call, taskId: 8, callStatusNew: 3, cost: "0.25", callDuration: 0 }] }, source);
    const moved = await taskStats(`sourceId=${source.id}&${march26}`);
    expect(moved.tasks).toHaveLength(1);
    expect(moved.tasks[0]).toMatchObject({
      taskId: 8,
      calls: 1,
      connected: 0,
      talkSeconds: 0,
      averageTalkSeconds: null,
    });
    expect(moved.tasks[0]?.costs).toMatchObject([{ currency: "USD", total: "0.35", perConnectedCall: null }]);
  });

  it("keeps the rollup sums equal to a recount of the stored calls, whatever is pushed and pushed again", async () => {
    const money = fc.constantFrom("0", "0.1", "0.125", "2.000001", "13", null, "");
    const call = fc.record({
      voice: fc.integer({ min: 0, max: 6 }),
      hour: fc.constantFrom("09", "10"),
      intentCode: fc.constantFrom("302", "303", null),
      callStatusNew: fc.constantFrom(1, 3),
      taskId: fc.constantFrom(7, 8, null),
      currency: fc.constantFrom(null, "EUR"),
      cost: money,
      aiAgentQuoteFee: money,
      callDuration: fc.option(fc.integer({ min: 0, max: 600 })),
      chargedDuration: fc.option(fc.integer({ min: 0, max: 600 })),
      aiAgentChargedDuration: fc.option(fc.integer({ min: 0, max: 600 })),
    });
    type Row = Record<string, number | string>;
    const order = (list: Row[]) =>
      list.sort((a, b) => {
        for (const k of ["hour", "task_id", "intent_code", "currency", "connected"]) {
          const [x, y] = [a[k] as number | string, b[k] as number | string];
          if (x !== y) return x < y ? -1 : 1;
        }
        return 0;
      });
    const sums = async (source: string) =>
      order(
        await rows<Row>(
          `SELECT hour, task_id, intent_code, currency, connected, calls, talk_seconds, charged_seconds,
           ai_charged_seconds, line_cost_micros, ai_cost_micros FROM task_cost_rollups
         WHERE source_id = ? AND calls != 0`,
          source,
        ),
      );
    // The plain recount, written apart from the push's statements: money parsed exactly in JavaScript.
    const recount = async (source: string) => {
      const stored = await rows<Record<string, number | string | null>>(
        `SELECT call_at / 3600000 AS hour, ifnull(task_id, -1) AS task_id, ifnull(intent_code, '') AS intent_code,
           ifnull(currency, '') AS currency, connected, call_duration, charged_duration, ai_agent_charged_duration,
           cost, ai_agent_quote_fee FROM calls WHERE source_id = ?`,
        source,
      );
      const micros = (v: unknown) => {
        const [whole = "0", fraction = ""] = String(v || "0").split(".");
        return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
      };
      const groups = new Map<string, Row>();
      for (const c of stored) {
        const key = [c.hour, c.task_id, c.intent_code, c.currency, c.connected];
        const g = groups.get(key.join("|")) ?? {
          hour: c.hour as number,
          task_id: c.task_id as number,
          intent_code: c.intent_code as string,
          currency: c.currency as string,
          connected: c.connected as number,
          calls: 0,
          talk_seconds: 0,
          charged_seconds: 0,
          ai_charged_seconds: 0,
          line_cost_micros: 0,
          ai_cost_micros: 0,
        };
        groups.set(key.join("|"), {
          ...g,
          calls: (g.calls as number) + 1,
          talk_seconds: (g.talk_seconds as number) + (c.connected ? Number(c.call_duration ?? 0) : 0),
          charged_seconds: (g.charged_seconds as number) + Number(c.charged_duration ?? 0),
          ai_charged_seconds: (g.ai_charged_seconds as number) + Number(c.ai_agent_charged_duration ?? 0),
          line_cost_micros: (g.line_cost_micros as number) + micros(c.cost),
          ai_cost_micros: (g.ai_cost_micros as number) + micros(c.ai_agent_quote_fee),
        });
      }
      return order([...groups.values()]);
    };
    const pushes = fc.array(fc.array(call, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(pushes, async (batches) => {
        const source = await createSource();
        const run = crypto.randomUUID();
        for (const batch of batches) {
          const array = batch.map(({ voice, hour, ...c }) =>
            record({ ...c, voiceId: `${run}-${voice}`, callTime: `2026-03-26 ${hour}:15:00` }),
          );
          expect((await push({ array }, source)).status).toBe(200);
        }
        expect(await sums(source.id)).toEqual(await recount(source.id));
      }),
      { numRuns: 15 },
    );
  });
});
