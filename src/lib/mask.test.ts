import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskPhone } from "./mask";

describe("maskPhone", () => {
  it("keeps the first 3 and last 4 of long numbers", () => {
    expect(maskPhone("13800138000")).toBe("138****8000");
    expect(maskPhone("2222222228613200000007")).toBe("222***************0007");
    expect(maskPhone("+8613800138000")).toBe("+86*******8000");
  });

  it("shows less of shorter numbers", () => {
    expect(maskPhone("5034040")).toBe("50***40");
    expect(maskPhone("4155550123")).toBe("41******23");
    expect(maskPhone("12345")).toBe("****5");
    expect(maskPhone("1234")).toBe("***4");
    expect(maskPhone("110")).toBe("***");
    expect(maskPhone("7")).toBe("*");
    expect(maskPhone("")).toBe("");
  });

  it("trims surrounding whitespace", () => {
    expect(maskPhone("  13800138000 ")).toBe("138****8000");
  });

  it("keeps null", () => {
    expect(maskPhone(null)).toBeNull();
  });

  it("never reveals a whole number and keeps its length", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 40 }), (raw) => {
        const value = raw.trim();
        fc.pre(value.length > 0 && !value.includes("*"));
        const masked = maskPhone(value) ?? "";
        expect(masked).not.toBe(value);
        expect(masked).toHaveLength(value.length);
        expect(masked).toContain("*");
      }),
    );
  });
});
