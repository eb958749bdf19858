import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlaceholderToken, MIN_TOKEN_LENGTH, tokenProblem } from "../../src/lib/secret-token.js";
import { DEV_DEFAULTS, devArgs } from "./args.mjs";
import { fillPlaceholders, optionalVarArgs } from "./relay.mjs";

describe("npm run dev -- <wrangler flags>", () => {
  it("passes callrelay's defaults when no flag is given", () => {
    expect(devArgs([])).toEqual({
      args: ["--ip", "127.0.0.1", "--port", "8787", "--test-scheduled"],
      url: "http://127.0.0.1:8787",
    });
  });

  it("lets a flag the person gives replace the default, in either form", () => {
    expect(devArgs(["--ip", "0.0.0.0"])).toEqual({
      args: ["--port", "8787", "--test-scheduled", "--ip", "0.0.0.0"],
      url: "http://127.0.0.1:8787",
    });
    expect(devArgs(["--port=9000", "--ip=192.168.1.7"])).toEqual({
      args: ["--test-scheduled", "--port=9000", "--ip=192.168.1.7"],
      url: "http://192.168.1.7:9000",
    });
    expect(devArgs(["--ip", "::"]).url).toBe("http://[::1]:8787");
  });

  it("passes other flags on untouched, after the defaults", () => {
    expect(devArgs(["--log-level", "debug", "--var", "A:b"]).args).toEqual([
      "--ip",
      "127.0.0.1",
      "--port",
      "8787",
      "--test-scheduled",
      "--log-level",
      "debug",
      "--var",
      "A:b",
    ]);
  });

  it("never passes a flag twice, and keeps every argument the person gave, in order", () => {
    const flag = fc.constantFrom("--ip", "--port", "--test-scheduled", "--log-level", "--var", "--persist-to");
    const word = fc.stringMatching(/^[a-z0-9.:]{1,8}$/);
    const arg = fc.oneof(
      fc.tuple(flag, word).map(([f, v]) => [f, v]),
      fc.tuple(flag, word).map(([f, v]) => [`${f}=${v}`]),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), (parts) => {
        const argv = parts.flat();
        const { args } = devArgs(argv);
        expect(args.slice(args.length - argv.length)).toEqual(argv);
        for (const name of Object.keys(DEV_DEFAULTS)) {
          const inArgs = args.filter((a) => a === name || a.startsWith(`${name}=`)).length;
          const inArgv = argv.filter((a) => a === name || a.startsWith(`${name}=`)).length;
          expect(inArgs).toBe(inArgv === 0 ? 1 : inArgv);
        }
      }),
    );
  });
});

describe(".dev.vars", () => {
  const example = readFileSync(".dev.vars.example", "utf8");

  it("the example's tokens are placeholders the Worker refuses", () => {
    const vars = parseEnv(example);
    for (const name of ["ADMIN_TOKEN", "PUSH_TOKEN"]) {
      expect(isPlaceholderToken(vars[name])).toBe(true);
      expect(tokenProblem(name, vars[name])).toContain("placeholder");
    }
  });

  it("gets a new random token for each placeholder, and nothing else changes", () => {
    const first = fillPlaceholders(example);
    const second = fillPlaceholders(example);
    expect(first.filled).toEqual(["ADMIN_TOKEN", "PUSH_TOKEN"]);
    const [a, b] = [parseEnv(first.text), parseEnv(second.text)];
    for (const name of ["ADMIN_TOKEN", "PUSH_TOKEN"] as const) {
      expect(a[name]).toMatch(/^[0-9a-f]{64}$/);
      expect(a[name]).not.toBe(b[name]);
      expect(tokenProblem(name, a[name])).toBeUndefined();
    }
    expect(a.ADMIN_TOKEN).not.toBe(a.PUSH_TOKEN);
    expect(first.text.replace(/"[0-9a-f]{64}"/g, "")).toBe(example.replace(/"replace-me[^"]*"/g, ""));
    expect(fillPlaceholders(first.text)).toEqual({ text: first.text, filled: [] });
  });

  it("says a token is too short below 32 characters", () => {
    expect(tokenProblem("ADMIN_TOKEN", "dev-admin-token")).toBe(
      `ADMIN_TOKEN is 15 characters long: use ${MIN_TOKEN_LENGTH} or more (openssl rand -hex 32)`,
    );
    expect(tokenProblem("ADMIN_TOKEN", "x".repeat(MIN_TOKEN_LENGTH))).toBeUndefined();
    expect(tokenProblem("ADMIN_TOKEN", undefined)).toBeUndefined();
  });

  it("passes optional secrets to wrangler dev as --var, never the required ones", () => {
    expect(
      optionalVarArgs({ ADMIN_TOKEN: "a", PUSH_TOKEN: "p", PLATFORM_API_KEY: "k", PLATFORM_API_SECRET: "", X: "1" }),
    ).toEqual(["--var", "PLATFORM_API_KEY:k", "--var", "X:1"]);
  });
});
