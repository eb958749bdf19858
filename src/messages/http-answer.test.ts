import { describe, expect, it } from "vitest";
import {
  type CodeAnswerRules,
  classifyCodeAnswer,
  classifyHttpAnswer,
  jsonRequest,
  parseRetryAfter,
  readJsonObject,
} from "./http-answer";
import type { ReceiverResponse } from "./types";

function answer(status: number, headers: Record<string, string> = {}, body = ""): ReceiverResponse {
  return { status, headers: new Headers(headers), body };
}

describe("jsonRequest", () => {
  it("POSTs JSON with callrelay's user agent", () => {
    expect(jsonRequest("https://example.com/x", { a: "é" })).toEqual({
      url: "https://example.com/x",
      headers: { "content-type": "application/json", "user-agent": "callrelay/0.1" },
      body: '{"a":"é"}',
    });
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2026, 2, 26, 7, 0, 0);

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP-date", () => {
    expect(parseRetryAfter("Thu, 26 Mar 2026 07:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Thu, 26 Mar 2026 06:00:00 GMT", now)).toBe(0);
  });

  it("caps at 24 hours", () => {
    expect(parseRetryAfter("999999999999999999999", now)).toBe(86400);
    expect(parseRetryAfter("Fri, 01 Jan 2027 00:00:00 GMT", now)).toBe(86400);
  });

  it("ignores garbage", () => {
    for (const value of [
      null,
      "",
      "soon",
      "-5",
      "1.5",
      "12abc",
      "2026-03-26T07:01:30Z",
      "Thu, 99 Foo 2026 07:01:30 GMT",
    ]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

describe("classifyHttpAnswer", () => {
  it("keeps reasons short and on one line", () => {
    const verdict = classifyHttpAnswer(answer(500, {}, `<html>\n  <body>${"x".repeat(1000)}</body>\n</html>`));
    expect(verdict).toMatchObject({ outcome: "retry" });
    const reason = (verdict as { reason: string }).reason;
    expect(reason.startsWith("HTTP 500: <html> <body>xxx")).toBe(true);
    expect(reason.length).toBeLessThanOrEqual(210);
  });
});

describe("readJsonObject", () => {
  it("reads objects only", () => {
    expect(readJsonObject('{"code":0}')).toEqual({ code: 0 });
    for (const body of ["", "ok", "[1]", "null", "42", '"x"', "{"]) expect(readJsonObject(body)).toBeUndefined();
  });
});

describe("classifyCodeAnswer", () => {
  const rules: CodeAnswerRules = {
    platform: "Chat",
    codeFields: ["code", "StatusCode"],
    messageFields: ["msg", "StatusMessage"],
    permanent: new Map([[19021, "the signing secret does not match"]]),
    rateLimited: new Map([[11232, 60]]),
  };
  const classify = (status: number, body: string, headers: Record<string, string> = {}) =>
    classifyCodeAnswer(answer(status, headers, body), rules);

  it("delivers on 2xx with code 0, from either field", () => {
    expect(classify(200, '{"code":0,"msg":"success"}')).toEqual({ outcome: "delivered" });
    expect(classify(200, '{"StatusCode":0,"StatusMessage":"success"}')).toEqual({ outcome: "delivered" });
  });

  it("fails on a permanent code even with HTTP 200", () => {
    expect(classify(200, '{"code":19021,"msg":"sign match fail"}')).toEqual({
      outcome: "failed",
      reason: "Chat answered 19021 sign match fail: the signing secret does not match",
    });
  });

  it("retries a rate-limit code after the platform's window", () => {
    expect(classify(200, '{"code":11232,"msg":"frequency limited"}')).toEqual({
      outcome: "retry",
      reason: "Chat answered 11232 frequency limited",
      retryAfterSeconds: 60,
    });
  });

  it("retries other codes and bodies without a code", () => {
    expect(classify(200, '{"code":9499,"msg":"Bad Request"}')).toEqual({
      outcome: "retry",
      reason: "Chat answered 9499 Bad Request",
    });
    expect(classify(200, '{"code":"19021"}')).toEqual({
      outcome: "retry",
      reason: 'Chat gave no result code: HTTP 200: {"code":"19021"}',
    });
    expect(classify(200, "ok")).toEqual({ outcome: "retry", reason: "Chat gave no result code: HTTP 200: ok" });
  });

  it("reads a non-2xx answer without a code as HTTP", () => {
    expect(classify(503, "busy", { "retry-after": "7" })).toEqual({
      outcome: "retry",
      reason: "HTTP 503: busy",
      retryAfterSeconds: 7,
    });
    expect(classify(410, "")).toEqual({ outcome: "failed", reason: "HTTP 410" });
    expect(classify(500, '{"code":0}')).toEqual({ outcome: "retry", reason: 'HTTP 500: {"code":0}' });
  });

  it("keeps the platform's message short and on one line", () => {
    const verdict = classify(200, JSON.stringify({ code: 7, msg: `a\n\nb ${"x".repeat(500)}` }));
    expect((verdict as { reason: string }).reason).toBe(`Chat answered 7 a b ${"x".repeat(196)}`);
  });
});
