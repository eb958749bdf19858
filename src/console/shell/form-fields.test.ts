import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldSpecs, postedSettings } from "./form-fields";

const schema = z.object({
  on: z.boolean().optional(),
  lang: z.enum(["en", "zh"]).optional(),
  minutes: z.int().min(5).max(60).optional(),
  ratio: z.number().gt(0).lt(1).optional(),
  name: z.string(),
  token: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

describe("fieldSpecs", () => {
  it("gives each field the control its type needs", () => {
    const specs = Object.fromEntries(fieldSpecs(schema, ["token", "headers"]).map((s) => [s.name, s]));
    expect(specs.on?.control).toBe("checkbox");
    expect(specs.lang).toMatchObject({ control: "select", choices: ["en", "zh"] });
    expect(specs.minutes).toMatchObject({ control: "number", min: 5, max: 60, step: "1" });
    expect(specs.ratio).toMatchObject({ control: "number", step: "any" });
    expect(specs.name).toMatchObject({ control: "text", optional: false });
    expect(specs.token?.control).toBe("secret");
    expect(specs.headers?.control).toBe("json");
  });
});

describe("postedSettings", () => {
  const specs = fieldSpecs(schema, ["token", "headers"]);
  it("reads a blank field as cleared, a blank secret as kept, a ticked clear box as cleared", () => {
    const { values } = postedSettings(
      specs,
      { "s.minutes": "", "s.token": "", "s.name": "x", "s.headers.clear": "on" },
      "s.",
    );
    expect(values).toHaveProperty("minutes", undefined);
    expect(values).not.toHaveProperty("token");
    expect(values).toHaveProperty("headers", undefined);
    expect(values).toMatchObject({ name: "x", on: false });
  });

  it("reads any number typed into a number field back as that number", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const { values, issues } = postedSettings(specs, { "s.ratio": String(n) }, "s.");
        expect(issues).toEqual([]);
        expect(values.ratio).toBe(n === 0 ? 0 : n);
      }),
    );
  });

  it("puts an unreadable value's message at its field", () => {
    const { issues } = postedSettings(specs, { "s.minutes": "five", "s.headers": "{" }, "s.");
    expect(issues).toEqual([
      { path: "s.minutes", message: "must be a number" },
      { path: "s.headers", message: "expected JSON" },
    ]);
  });
});
