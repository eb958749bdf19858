import { describe, expect, it } from "vitest";
import type { destinations } from "../db/schema";
import { destinationChanges, newDestination, unknownSourceIssues } from "./decide";

type Row = typeof destinations.$inferSelect;
const row = (overrides: Partial<Row> = {}) =>
  ({
    id: "dst_1",
    name: "hook",
    type: "webhook",
    config: { url: "https://a.example/hook", secret: "whsec_x", headers: { authorization: "Bearer t" } },
    filter: {},
    sourceIds: [],
    options: { timezone: "Asia/Shanghai", locale: "en", maskCallee: false },
    template: null,
    events: ["call.reported"],
    enabled: false,
    disabledReason: "receiver answered 410",
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  }) as Row;

describe("destinationChanges", () => {
  it("re-enabling clears the reason and resumes paused deliveries; options merge into the stored ones", () => {
    const { set, enabling } = destinationChanges(
      row(),
      { enabled: true, options: { locale: "zh" } },
      { config: undefined, template: undefined },
      { chat: false },
      5,
    );
    expect(enabling).toBe(true);
    expect(set).toMatchObject({ enabled: true, disabledReason: null, updatedAt: 5 });
    expect(set.options).toMatchObject({ locale: "zh", timezone: "Asia/Shanghai", maskCallee: false });
  });

  it("leaves unchanged columns undefined and an enabled destination not resuming", () => {
    const { set, enabling } = destinationChanges(
      row({ enabled: true }),
      { name: "x", enabled: true },
      { config: undefined, template: undefined },
      { chat: false },
      5,
    );
    expect(enabling).toBe(false);
    expect(set.config).toBeUndefined();
    expect(set.options).toBeUndefined();
    expect(set.name).toBe("x");
  });
});

describe("newDestination", () => {
  it("takes defaults: every call, every source, call.reported, enabled, callee masked for chat", () => {
    const values = newDestination(
      { name: "n", type: "slack", config: {} },
      { config: { url: "u" }, template: null },
      { chat: true },
      "dst_2",
      7,
    );
    expect(values).toMatchObject({ id: "dst_2", filter: {}, sourceIds: [], events: ["call.reported"], enabled: true });
    expect(values.options.maskCallee).toBe(true);
  });
});

describe("unknownSourceIssues", () => {
  it("names each unknown id at its index", () => {
    expect(unknownSourceIssues(["a", "b", "c"], new Set(["b"]))).toEqual([
      { path: "sourceIds[0]", message: "Unknown source a" },
      { path: "sourceIds[2]", message: "Unknown source c" },
    ]);
  });
});
