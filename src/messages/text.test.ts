import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clip, codeUnits, escapeHtml, escapeMarkdown, jsonBytes, oneLine, utf8Bytes } from "./text";

describe("clip", () => {
  it("keeps text that fits, escaped", () => {
    expect(clip("a<b", 10, escapeHtml)).toBe("a&lt;b");
    expect(clip("abc", 3)).toBe("abc");
  });

  it("cuts with … without splitting an escape or a code point", () => {
    expect(clip("abcdef", 4)).toBe("abc…");
    expect(clip("ab&cd", 6, escapeHtml)).toBe("ab…");
    expect(clip("a😀😀", 4)).toBe("a😀…");
    expect(clip("a😀😀", 3)).toBe("a…");
    expect(clip("中中中", 7, undefined, utf8Bytes)).toBe("中…");
    expect(clip("a*b*c", 4, escapeMarkdown)).toBe("a\\*…");
    expect(clip("a*b*c", 3, escapeMarkdown)).toBe("a…");
  });

  it("counts what the platform counts", () => {
    expect(codeUnits("😀")).toBe(2);
    expect(utf8Bytes("😀中a")).toBe(8);
    expect(jsonBytes('a"\n\u0001中')).toBe(1 + 2 + 2 + 6 + 3);
  });

  it("never exceeds the limit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.integer({ min: 3, max: 400 }), (raw, max) => {
        for (const measure of [codeUnits, utf8Bytes, jsonBytes]) {
          expect(measure(clip(raw, max, escapeHtml, measure))).toBeLessThanOrEqual(max);
          expect(measure(clip(raw, max, escapeMarkdown, measure))).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});

describe("oneLine", () => {
  it("collapses whitespace and drops blank values", () => {
    expect(oneLine("  a \n\t b\u2028c ")).toBe("a b c");
    expect(oneLine(" \n ")).toBeNull();
    expect(oneLine(null)).toBeNull();
  });
});

describe("escapeHtml", () => {
  it("escapes the three control characters only", () => {
    expect(escapeHtml(`<!channel> & "quotes" 'n' *bold*`)).toBe(`&lt;!channel&gt; &amp; "quotes" 'n' *bold*`);
  });
});

describe("escapeMarkdown", () => {
  it("backslash-escapes inline markup, mentions and headings", () => {
    expect(escapeMarkdown("**b** _i_ `c` ~~s~~ ||x|| [l](u) <@1> # h \\")).toBe(
      "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\~\\~s\\~\\~ \\|\\|x\\|\\| \\[l\\](u) \\<@1\\> \\# h \\\\",
    );
    expect(escapeMarkdown("Connected-Customer 2026-03-26 (UTC)")).toBe("Connected-Customer 2026-03-26 (UTC)");
  });
});
