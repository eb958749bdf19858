import { describe, expect, it } from "vitest";
import { getConfig } from "./config";
import { configWarnings } from "./config-warnings";

describe("configWarnings", () => {
  it("warns of an admin or push token shorter than 32 characters", () => {
    const warnings = configWarnings(getConfig({ ADMIN_TOKEN: "short", PUSH_TOKEN: "x".repeat(31) }));
    expect(warnings).toEqual([
      expect.stringMatching(/^ADMIN_TOKEN is 5 characters long: use at least 32/),
      expect.stringMatching(/^PUSH_TOKEN is 31 characters long/),
    ]);
  });

  it("is quiet with long tokens, or none", () => {
    expect(configWarnings(getConfig({ ADMIN_TOKEN: "a".repeat(32), PUSH_TOKEN: "b".repeat(64) }))).toEqual([]);
    expect(configWarnings(getConfig({}))).toEqual([]);
  });
});
