import fc from "fast-check";
import { describe, expect, it } from "vitest";
import sample from "../../test/fixtures/sample-push.json";
import { normalize } from "../model/calls/normalize";
import { parseRecord } from "../model/calls/record-schema";
import { fillTemplate, parseTemplate, storedTemplate, writeJson } from "./template";

const report = parseRecord(sample.array[0]);
if (!report.ok) throw new Error(report.error);
const call = normalize(report.report, "src_default", 1774509790000);

const parts = (source: string) => {
  const parsed = parseTemplate(source);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.parts;
};

describe("parseTemplate", () => {
  it("reads tags with or without spaces", () => {
    expect(fillTemplate(parts("{{intent}} / {{ intentCode }}"), call, (_, v) => String(v))).toBe(
      "Connected-Customer No Responsern / 302",
    );
  });

  it("names unknown fields, with a suggestion", () => {
    expect(parseTemplate("Hi {{intnet}}, {{nope}}")).toEqual({
      ok: false,
      issues: [
        { offset: 3, message: 'unknown field "intnet"; did you mean "intent"?' },
        { offset: 15, message: expect.stringMatching(/^unknown field "nope"/) },
      ],
    });
  });

  it("refuses an unclosed tag and an overlong template", () => {
    expect(parseTemplate("{{intent}} {{callee").ok).toBe(false);
    expect(parseTemplate("x".repeat(8001)).ok).toBe(false);
  });
});

describe("JSON templates", () => {
  it("write JSON values outside strings and escaped text inside them", () => {
    const body = fillTemplate(
      parts(
        '{"msg":"Intent {{intent}} ({{intentCode}})","code":{{intentCode}},"secs":{{callDuration}},"ok":{{connected}},"x":{{sourceTaskId}}}',
      ),
      { ...call, intent: 'He said "hi"\n' },
      writeJson,
    );
    expect(JSON.parse(body)).toEqual({ msg: 'Intent He said "hi"\n (302)', code: "302", secs: 35, ok: true, x: null });
  });

  it("always give valid JSON for any string values", () => {
    const template = parts('{"a":"{{intent}}","b":{{intent}},"c":"\\"{{callee}}\\""}');
    fc.assert(
      fc.property(fc.string(), fc.string(), (intent, callee) => {
        const body = fillTemplate(template, { ...call, intent, callee }, writeJson);
        expect(JSON.parse(body)).toEqual({ a: intent, b: intent, c: `"${callee}"` });
      }),
    );
  });
});

describe("storedTemplate", () => {
  it("reads a stored template, none for null, and throws for one that no longer parses", () => {
    expect(storedTemplate(null)).toBeUndefined();
    expect(storedTemplate("{{intent}}!")).toEqual([{ field: "intent", inString: false }, { text: "!" }]);
    expect(() => storedTemplate("{{gone}}")).toThrow('stored template does not parse: unknown field "gone"');
  });
});
