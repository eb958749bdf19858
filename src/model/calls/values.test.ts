import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readInt, readString, readTime, readVoiceId } from "./values";

const UTC8 = 8 * 3600 * 1000;
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function localStamp(ms: number, dashed = false): string {
  const d = new Date(ms + UTC8);
  const [y, mo, da, h, mi, s] = [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ];
  return dashed
    ? `${pad(y, 4)}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}`
    : `${pad(y, 4)}${pad(mo)}${pad(da)}${pad(h)}${pad(mi)}${pad(s)}`;
}

describe("readTime", () => {
  it("reads epoch ms as a number or as digits", () => {
    expect(readTime(1774509748000)).toEqual({ ok: true, value: 1774509748000 });
    expect(readTime("1774509748000")).toEqual({ ok: true, value: 1774509748000 });
  });

  it("reads yyyyMMddHHmmss as UTC+8", () => {
    expect(readTime("20260326152228")).toEqual({ ok: true, value: 1774509748000 });
    expect(readTime("2026-03-26 15:22:28")).toEqual({ ok: true, value: 1774509748000 });
  });

  it("treats null, missing and empty as absent", () => {
    for (const v of [null, undefined, ""]) expect(readTime(v)).toEqual({ ok: true, value: null });
  });

  it("rejects what is not a time, saying what it got", () => {
    expect(readTime("yesterday")).toEqual({ ok: false, error: expect.stringContaining('"yesterday"') });
    for (const v of ["20261326152228", "20260230120000", -1, 1.5, true, {}, [], "12:00"]) {
      expect(readTime(v).ok, String(v)).toBe(false);
    }
  });

  it("round-trips any instant written in the platform's local formats", () => {
    const instant = fc.integer({ min: 0, max: 253402300799 - 8 * 3600 }).map((s) => s * 1000);
    fc.assert(
      fc.property(instant, fc.boolean(), (ms, dashed) => {
        expect(readTime(localStamp(ms, dashed))).toEqual({ ok: true, value: ms });
      }),
    );
  });

  it("never throws, and only ever yields a non-negative integer or null", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = readTime(v);
        if (r.ok && r.value !== null) expect(Number.isSafeInteger(r.value) && r.value >= 0).toBe(true);
      }),
    );
  });
});

describe("readInt", () => {
  it("reads integers and integer strings", () => {
    expect(readInt(35)).toEqual({ ok: true, value: 35 });
    expect(readInt(" 35 ")).toEqual({ ok: true, value: 35 });
    expect(readInt("-2")).toEqual({ ok: true, value: -2 });
    expect(readInt(null)).toEqual({ ok: true, value: null });
  });

  it("rejects fractions, words and huge values", () => {
    for (const v of [1.5, "1.5", "ten", "99999999999999999", Number.NaN, {}, true]) expect(readInt(v).ok).toBe(false);
  });

  it("round-trips every safe integer through its decimal string", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(readInt(String(n))).toEqual({ ok: true, value: n });
      }),
    );
  });
});

describe("readString", () => {
  it("keeps strings, writes numbers as decimal text, treats empty as absent", () => {
    expect(readString("0.1")).toEqual({ ok: true, value: "0.1" });
    expect(readString(302)).toEqual({ ok: true, value: "302" });
    expect(readString("")).toEqual({ ok: true, value: null });
    expect(readString({ a: 1 }).ok).toBe(false);
    expect(readString(false).ok).toBe(false);
  });
});

describe("readVoiceId", () => {
  it("requires a usable id", () => {
    expect(readVoiceId(" 260326152224160100152 ")).toEqual({ ok: true, value: "260326152224160100152" });
    expect(readVoiceId(12345)).toEqual({ ok: true, value: "12345" });
    expect(readVoiceId(undefined)).toEqual({
      ok: false,
      error: "missing: every record needs its voiceId (the platform's call id)",
    });
    expect(readVoiceId("  ")).toEqual({ ok: false, error: "is empty" });
    expect(readVoiceId(2 ** 70).ok).toBe(false);
    expect(readVoiceId("x".repeat(129)).ok).toBe(false);
  });
});
