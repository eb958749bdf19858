import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validFilter } from "../filters/arbitraries";
import { filterFieldsUsed } from "../filters/fields-used";
import { type CampaignGroup, campaignFigures, campaignFilterProblem, formatMicros } from "./campaign";

const group = (over: Partial<CampaignGroup>): CampaignGroup => ({
  sourceId: "s",
  taskId: 1,
  intentCode: "302",
  currency: "",
  connected: 1,
  calls: 1,
  talkSeconds: 0,
  chargedSeconds: 0,
  aiChargedSeconds: 0,
  lineCostMicros: 0,
  aiCostMicros: 0,
  ...over,
});

describe("formatMicros", () => {
  it("writes millionths as the exact decimal string they stand for", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 15), max: 10 ** 15 }), (micros) => {
        const text = formatMicros(micros);
        expect(text).toMatch(/^-?(0|[1-9]\d*)(\.\d{0,5}[1-9])?$/);
        const [whole = "", fraction = ""] = text.replace("-", "").split(".");
        const back = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
        expect(micros < 0 ? -back : back).toBe(BigInt(micros));
      }),
    );
    expect([formatMicros(0), formatMicros(100_000), formatMicros(1_000_001)]).toEqual(["0", "0.1", "1.000001"]);
  });
});

describe("campaignFilterProblem", () => {
  it("accepts exactly the filters whose fields are all in the rollups' key", () => {
    const kept = new Set(["sourceId", "taskId", "intentCode", "currency", "connected"]);
    fc.assert(
      fc.property(validFilter, (filter) => {
        const fields = [...filterFieldsUsed(filter)];
        expect(campaignFilterProblem(filter) === null).toBe(fields.every((f) => kept.has(f)));
      }),
    );
  });

  it("finds fields at any depth", () => {
    expect([...filterFieldsUsed({ $and: [{ $not: { taskId: 3 } }, { $or: [{ callDuration: 1 }] }] })]).toEqual([
      "taskId",
      "callDuration",
    ]);
  });
});

describe("campaignFigures", () => {
  it("keeps currencies apart, counts the vendor's missing currency as USD, and matches groups as calls", () => {
    const [task] = campaignFigures(
      [
        group({ currency: "", lineCostMicros: 100_000, calls: 2 }),
        group({ currency: "USD", intentCode: "301", aiCostMicros: 300_000, connected: 0 }),
        group({ currency: "EUR", intentCode: "", lineCostMicros: 1, calls: 4, connected: 0 }),
      ],
      { currency: { $exist: false } },
      10,
    );
    expect(task?.costs.map((c) => [c.currency, c.calls, c.total, c.perConnectedCall, c.matching?.calls])).toEqual([
      ["EUR", 4, "0.000001", null, 0],
      ["USD", 3, "0.4", "0.2", 2],
    ]);
    expect(task?.matching).toEqual({ calls: 2, connected: 2 });
    expect(task?.intents).toEqual([
      { intentCode: null, calls: 4 },
      { intentCode: "302", calls: 2 },
      { intentCode: "301", calls: 1 },
    ]);
  });
});
