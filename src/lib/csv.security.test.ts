import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvCutLine, csvLine } from "./csv";

/** The cells of one CSV line (RFC 4180), as a spreadsheet reads them. */
function parseLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else cell += line[i++];
      }
    } else {
      while (i < line.length && line[i] !== ",") cell += line[i++];
    }
    cells.push(cell);
    if (line[i] !== ",") return cells;
    i++;
  }
}

describe("CSV cells", () => {
  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil.example","x")'])(
    "prefixes %j so it reads as text",
    (value) => {
      expect(parseLine(csvCell(value))).toEqual([`'${value}`]);
    },
  );

  it("leaves numbers, plain text and empty values alone", () => {
    expect(csvLine([-5, "abc", null, undefined, 0])).toBe("-5,abc,,,0\r\n");
  });

  it("for any values, every cell reads back as its text, none starting like a formula", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (values) => {
        const cells = parseLine(csvLine(values).slice(0, -2));
        expect(cells).toHaveLength(values.length);
        cells.forEach((cell, i) => {
          expect(cell).not.toMatch(/^[=+\-@\t\r]/);
          expect(cell).toBe(/^[=+\-@\t\r]/.test(values[i] as string) ? `'${values[i]}` : values[i]);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("ends a cut export with one cell that says where it stopped", () => {
    expect(parseLine(csvCutLine(250).trimEnd())).toEqual([
      "Export cut at 250 rows: narrow the search (dates, task, intent) to export the rest",
    ]);
  });
});
