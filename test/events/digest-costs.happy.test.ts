import { describe, expect, it } from "vitest";
import { eventSummary } from "../../src/messages/event-summary";
import type { OperationEvent } from "../../src/model/events/types";
import { runCron } from "../support/handlers";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, push, record, rows } from "../support/worker";

installReceiver();

const HOUR = 3_600_000;
const MIN = 60_000;

describe("digest.daily per task", () => {
  it("carries each busy task's average talk time and cost per currency, from the task cost rollups", async () => {
    const dst = await createDestination({
      name: "ops",
      type: "webhook",
      config: { url: hookUrl() },
      events: ["digest.daily"],
      options: { timezone: "Asia/Shanghai", digestAt: "09:00" },
    });
    // 09:00 in Shanghai is 01:00 UTC; the calls are in the day before.
    const at = Date.UTC(2036, 4, 10, 1);
    const call = { taskId: 61, callTime: at - 2 * HOUR, callStatusNew: 1, callDuration: 65 };
    const res = await push({
      array: [
        record({ ...call, cost: "0.3", aiAgentQuoteFee: "0.1" }),
        record({ ...call, callDuration: 55, cost: "0.2", aiAgentQuoteFee: "0.1" }),
        record({ ...call, callStatusNew: 3, callDuration: 0, cost: "0", aiAgentQuoteFee: "0", currency: "EUR" }),
      ],
    });
    expect(res.status).toBe(200);
    await runCron(at + MIN);
    const [event] = (
      await rows<{ type: string; data: string }>(
        `SELECT e.type, e.data FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.destination_id = ?`,
        dst.id,
      )
    ).map((e) => ({ type: e.type, data: JSON.parse(e.data) }));
    expect(event?.data.byTask).toEqual([
      {
        taskId: 61,
        calls: 3,
        connected: 2,
        averageTalkSeconds: 60,
        costs: [
          { currency: "EUR", total: "0", perConnectedCall: null },
          { currency: "USD", total: "0.7", perConnectedCall: "0.35" },
        ],
      },
    ]);
    const summary = (locale: "en" | "zh") =>
      eventSummary(event as OperationEvent, { locale, timezone: "Asia/Shanghai" } as never).sections;
    expect(summary("en")).toContainEqual({
      heading: "By task",
      items: ["61: 3 / 2 (66.7%) · avg talk 1:00 · €0.00 · $0.70 ($0.35 per connected call)"],
    });
    expect(summary("zh")).toContainEqual({
      heading: "按任务",
      items: ["61: 3 / 2 (66.7%) · 平均通话 1:00 · €0.00 · US$0.70 (US$0.35 每通接通)"],
    });
  });
});
