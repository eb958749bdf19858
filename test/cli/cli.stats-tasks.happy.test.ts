import { describe, expect, it } from "vitest";
import { admin, push, record } from "../support/worker";
import { cli, cliJson, tableRows } from "./kit";

const hour = 3_600_000;

async function campaign() {
  const source = await admin("/sources", { body: { name: `cli-tasks-${crypto.randomUUID()}` } }).then((r) =>
    r.json<{ id: string; token: string }>(),
  );
  const callTime = Math.floor(Date.now() / hour) * hour - 2 * hour;
  const lead = { taskId: 51, callTime, callStatusNew: 1, callDuration: 65, chargedDuration: 90 };
  const res = await push(
    {
      array: [
        record({ ...lead, intentCode: "302", cost: "0.2", aiAgentQuoteFee: "0.1" }),
        record({ ...lead, intentCode: "303", callDuration: 55, cost: "0.4", aiAgentQuoteFee: "0.1" }),
        record({ ...lead, intentCode: "301", callStatusNew: 3, callDuration: 0, cost: "0", aiAgentQuoteFee: "0" }),
      ],
    },
    source,
  );
  expect(res.status).toBe(200);
  return source;
}

describe("callrelay stats tasks", () => {
  it("prints a row per task and currency: calls, connect rate, intents, talk time m:ss, minutes and costs", async () => {
    const source = await campaign();
    const { code, stdout, stderr } = await cli(["stats", "tasks", "--source", source.id, "--intent", "302,303"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const [fields, table] = stdout.split("\n\n");
    expect(fields).toMatch(/^window: .+\nfilter: +\{"intentCode":\{"\$in":\["302","303"\]\}\}$/);
    expect(tableRows(table ?? "")).toEqual([
      [
        "TASK",
        "CALLS",
        "CONNECTED",
        "INTENTS",
        "AVG TALK",
        "CHARGED MIN",
        "CURRENCY",
        "LINE",
        "AI AGENT",
        "TOTAL",
        "PER CONNECTED",
        "MATCHING",
        "PER MATCH",
        "SPEND PER MATCH",
      ],
      [
        "51",
        "3",
        "2 (66.7%)",
        "301:1 302:1 303:1",
        "1:00",
        "4.5",
        "USD",
        "0.6",
        "0.2",
        "0.8",
        "0.4",
        "2",
        "0.4",
        "0.4",
      ],
    ]);
  });

  it("prints the API's JSON with --json, and the API's reason for a filter it cannot answer", async () => {
    const source = await campaign();
    const json = await cliJson<{ tasks: { taskId: number; costs: { total: string }[] }[] }>([
      "stats",
      "tasks",
      "--source",
      source.id,
    ]);
    expect(json.tasks).toMatchObject([{ taskId: 51, costs: [{ total: "0.8" }] }]);
    const refused = await cli(["stats", "tasks", "--filter", '{"callDuration":{"$gte":30}}']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "a campaign filter can use only sourceId, taskId, intentCode, currency, connected",
    );
  });
});
