import { describe, expect, it } from "vitest";
import { z } from "zod";
import { filterSchema } from "./filter-schema";

describe("filterSchema", () => {
  it("passes a valid filter through as it is", () => {
    const filter = { connected: true, intentCode: { $in: ["302", "303"] }, callDuration: { $gte: 10 } };
    const result = filterSchema.safeParse(filter);
    expect(result).toEqual({ success: true, data: filter });
    expect(result.data).toBe(filter);
  });

  it("reports each problem at its path, as segments, with its message", () => {
    const result = z
      .object({ filter: filterSchema })
      .safeParse({ filter: { connectd: true, intentCode: { $in: ["302", 303] }, $or: [{ callDuration: "10" }] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: ["filter", "connectd"], message: 'unknown field "connectd"; did you mean "connected"?' },
      {
        path: ["filter", "intentCode", "$in", 1],
        message: "expected a string or null (intentCode is a string field), got 303",
      },
      {
        path: ["filter", "$or", 0, "callDuration"],
        message: 'expected a number or null (callDuration is a number field), got "10"',
      },
    ]);
  });

  it("rejects what is not an object, undefined included", () => {
    for (const input of [undefined, null, [], "{}"]) {
      const result = filterSchema.safeParse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual([]);
    }
  });

  it("leaves a default to the caller", () => {
    expect(z.object({ filter: filterSchema.default({}) }).parse({})).toEqual({ filter: {} });
  });
});
