import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cell, displayWidth, formatFields, formatTable, shortTime, truncate } from "../../cli/table.mjs";

/** `line` from its display column `column` on. */
function fromColumn(line: string, column: number) {
  let width = 0;
  let index = 0;
  for (const char of line) {
    if (width >= column) break;
    width += displayWidth(char);
    index += char.length;
  }
  return line.slice(index);
}

describe("displayWidth", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    ["意向客户", 8],
    ["ａｂ", 4],
    ["한국", 4],
    ["e\u0301", 1],
    ["ok 👍", 5],
  ])("%j takes %i columns", (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe("truncate", () => {
  it("keeps text that fits and cuts the rest with an ellipsis, counting wide characters twice", () => {
    expect(truncate("hello", 5)).toBe("hello");
    expect(truncate("hello world", 6)).toBe("hello…");
    expect(truncate("意向客户很好", 7)).toBe("意向客…");
    expect(truncate("a意向", 3)).toBe("a…");
  });

  it("never exceeds the width, and never changes text that fits", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 1, max: 50 }), (text, max) => {
        const cut = truncate(text, max);
        expect(displayWidth(cut)).toBeLessThanOrEqual(max);
        if (displayWidth(text) <= max) expect(cut).toBe(text);
        else expect(cut.endsWith("…")).toBe(true);
      }),
    );
  });
});

describe("cell", () => {
  it("turns null into - and control or bidi characters into spaces", () => {
    expect(cell(null)).toBe("-");
    expect(cell(undefined)).toBe("-");
    expect(cell(0)).toBe("0");
    expect(cell(false)).toBe("false");
    expect(cell("a\nb\tc\u001b[31md\u202ee\u0085")).toBe("a b c [31md e ");
  });
});

describe("shortTime", () => {
  it("shows ISO text and epoch ms to the second, in UTC", () => {
    expect(shortTime("2026-03-26T07:00:12.345Z")).toBe("2026-03-26 07:00:12Z");
    expect(shortTime(Date.UTC(2026, 2, 26, 15, 22, 28, 999))).toBe("2026-03-26 15:22:28Z");
    expect(shortTime(null)).toBe("-");
    expect(shortTime("soon")).toBe("soon");
  });
});

describe("formatTable", () => {
  it("aligns columns two spaces apart, by display width, trimming line ends", () => {
    expect(
      formatTable(
        ["ID", "INTENT", "N"],
        [
          ["a", "意向", 1],
          ["bbbb", null, 22],
        ],
      ),
    ).toBe("ID    INTENT  N\na     意向    1\nbbbb  -       22\n");
  });

  it("cuts long cells and keeps every row on one line", () => {
    expect(formatTable(["K", "V"], [["x".repeat(12), "line\nbreak"]], 8)).toBe("K         V\nxxxxxxx…  line br…\n");
  });

  it("prints only the header for no rows", () => {
    expect(formatTable(["A", "B"], [])).toBe("A  B\n");
  });

  it("starts every column at the same display column on every line", () => {
    const unit = fc.constantFrom("a", "Z", "0", "-", " ", "意", "向", "ｂ", "한", "👍", "\n", "\t", "\u001b", "\u202e");
    const text = fc.string({ unit, maxLength: 30 });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text, text), { maxLength: 8 }), (rows) => {
        const headers = ["ONE", "TWO", "THREE"];
        const lines = formatTable(headers, rows, 20).split("\n");
        expect(lines.pop()).toBe("");
        const shown = [headers, ...rows.map((row) => row.map((value) => truncate(cell(value), 20)))];
        expect(lines).toHaveLength(shown.length);
        const widths = headers.map((_, i) => Math.max(...shown.map((row) => displayWidth(row[i] ?? ""))));
        for (const [index, row] of shown.entries()) {
          let column = 0;
          for (const [i, text] of row.entries()) {
            expect(fromColumn(lines[index] ?? "", column).startsWith(text.trimEnd())).toBe(true);
            column += (widths[i] ?? 0) + 2;
          }
        }
      }),
    );
  });
});

describe("formatFields", () => {
  it("aligns values after their labels and never cuts them", () => {
    const token = "t".repeat(60);
    expect(
      formatFields([
        ["token", token],
        ["push URL", "https://x/push/t"],
        ["error", null],
      ]),
    ).toBe(`token:     ${token}\npush URL:  https://x/push/t\nerror:     -\n`);
  });
});
