import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameOriginPath } from "./same-origin-path";

const origin = "https://relay.test";

/** Where a browser goes with `Location: <target>` from a page of `origin`. */
const followed = (target: string) => new URL(target, `${origin}/sign-in`);

describe("sameOriginPath", () => {
  it.each([
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "/.//evil.example",
    "/%2e//evil.example",
    "/..//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\\/evil.example",
    "\\\\evil.example",
  ])("never leaves the origin for %j", (next) => {
    const target = sameOriginPath(next, origin);
    expect(followed(target).origin).toBe(origin);
    expect(target).toMatch(/^\/(?![/\\])/);
  });

  it("keeps a same-origin path, query and fragment", () => {
    expect(sameOriginPath("/calls?taskId=7#x", origin)).toBe("/calls?taskId=7#x");
    expect(sameOriginPath("/audit", origin)).toBe("/audit");
  });

  it("answers / for anything that is not a path", () => {
    for (const value of [undefined, null, 3, "", "calls", "https://relay.test/calls"]) {
      expect(sameOriginPath(value, origin)).toBe("/");
    }
  });

  it("whatever next is, the browser stays on the origin", () => {
    const piece = fc.constantFrom(
      "/",
      "\\",
      "\t",
      "\n",
      "\r",
      " ",
      ".",
      "..",
      "%2e",
      "%2f",
      "%5c",
      "%09",
      "evil.example",
      ":",
      "@",
      "?",
      "#",
      "https:",
      "//",
    );
    const next = fc.oneof(
      fc.string(),
      fc.array(piece, { maxLength: 8 }).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(next, (value) => {
        const target = sameOriginPath(value, origin);
        expect(followed(target).origin).toBe(origin);
        expect(new URL(target, "https://other.test/").origin).toBe("https://other.test");
      }),
      { numRuns: 2000 },
    );
  });
});
