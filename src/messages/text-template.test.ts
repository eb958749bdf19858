import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinese, english, hostileText, sampleCall, templateParts } from "../../test/chat/kit";
import { escapeHtml, escapeMarkdown, jsonBytes, utf8Bytes } from "./text";
import { fillTextTemplate, type TextFormat, textTemplateProblem } from "./text-template";

const html: TextFormat = { escape: escapeHtml, measure: (t) => t.length, unit: "characters", limit: 200 };

describe("fillTextTemplate", () => {
  it("fills each field as a chat message shows it, escaped, with a dash for what is missing", () => {
    const parts = templateParts(
      "<b>{{intent}}</b> {{callee}} {{answerTime}} {{callDuration}} {{connected}} {{callStatusLabel}} [{{code}}]",
    );
    const roomy = { ...html, limit: 1000 };
    expect(fillTextTemplate(parts, { ...sampleCall, intent: "a<b>&c" }, english, roomy)).toBe(
      "<b>a&lt;b&gt;&amp;c</b> 222***************0007 2026-03-26 15:22:28 (Asia/Shanghai) 35s yes connected [—]",
    );
    expect(fillTextTemplate(parts, sampleCall, { ...chinese, maskCallee: false }, roomy)).toBe(
      "<b>Connected-Customer No Responsern</b> 2222222228613200000007 2026-03-26 15:22:28 (Asia/Shanghai) 35秒 是 已接通 [—]",
    );
  });

  it("shares the room the text leaves among the fields", () => {
    const parts = templateParts(`${"x".repeat(140)}{{intent}}{{callee}}`);
    const filled = fillTextTemplate(parts, { ...sampleCall, intent: "i".repeat(500) }, english, html);
    expect(filled).toBe(`${"x".repeat(140)}${"i".repeat(29)}…222***************0007`);
  });

  it("stays within the limit for any template it accepts, whatever the values", () => {
    const formats = fc.constantFrom<TextFormat>(
      html,
      { escape: escapeMarkdown, measure: utf8Bytes, unit: "bytes", limit: 600 },
      { measure: jsonBytes, unit: "bytes", limit: 900 },
    );
    const literal = fc.string({ unit: fc.constantFrom("a", "中", "\u0001", "<", "*", "😀"), maxLength: 400 });
    const field = fc.constantFrom("intent", "callee", "intentCode", "displayNum", "answerTime", "connected");
    fc.assert(
      fc.property(
        formats,
        fc.array(fc.tuple(literal, field), { maxLength: 8 }),
        hostileText,
        hostileText,
        (format, pieces, intent, callee) => {
          const parts = templateParts(pieces.map(([text, name]) => `${text}{{${name}}}`).join(""));
          const problem = textTemplateProblem(parts, format);
          if (problem !== undefined) {
            expect(problem).toMatch(/^is too long for this destination/);
            return;
          }
          const call = { ...sampleCall, intent, callee, intentCode: callee, displayNum: intent };
          expect(format.measure(fillTextTemplate(parts, call, english, format))).toBeLessThanOrEqual(format.limit);
        },
      ),
    );
  });
});

describe("textTemplateProblem", () => {
  it("refuses a text that leaves less than 24 per field", () => {
    expect(textTemplateProblem(templateParts(`${"x".repeat(152)}{{intent}}{{callee}}`), html)).toBeUndefined();
    expect(textTemplateProblem(templateParts(`${"x".repeat(153)}{{intent}}{{callee}}`), html)).toBe(
      "is too long for this destination: its text takes 153 characters and each of its 2 fields 24, of at most 200",
    );
    expect(textTemplateProblem(templateParts("x".repeat(201)), html)).toMatch(/takes 201 characters/);
  });
});
