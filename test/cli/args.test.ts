import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CommandSpec, parseArgv } from "../../cli/args.mjs";
import { run } from "../../cli/run.mjs";

const tree = {
  summary: "root",
  options: {
    url: { type: "string", description: "" },
    json: { type: "boolean", description: "" },
  },
  commands: {
    items: {
      summary: "group",
      commands: {
        add: {
          summary: "leaf",
          args: ["name"],
          options: {
            url: { type: "string", description: "" },
            tag: { type: "list", description: "" },
            limit: { type: "integer", description: "" },
            filter: { type: "json", description: "" },
            quiet: { type: "boolean", description: "" },
            kind: { type: "string", required: true, description: "" },
          },
        },
      },
    },
    stats: {
      summary: "leaf",
      options: {
        since: { type: "string", description: "" },
        ratio: { type: "number", description: "" },
        status: { type: "csv", choices: ["failed", "paused"], description: "" },
        labels: { type: "csv", description: "" },
      },
    },
  },
} satisfies CommandSpec;

function parse(...argv: string[]) {
  const { path, args, help, error, flags, globals } = parseArgv(argv, tree);
  return { path, args, help, error, flags, globals };
}

describe("parseArgv", () => {
  it("reads command words, arguments, and typed options in any order", () => {
    const p = parse("items", "--json", "add", "--kind=x", "thing", "--tag=b", "--limit", "-3", "--filter", "{}");
    expect(p).toMatchObject({ path: ["items", "add"], args: ["thing"], help: false, error: undefined });
    expect(p.flags.string("kind")).toBe("x");
    expect(p.flags.list("tag")).toEqual(["b"]);
    expect(p.flags.integer("limit")).toBe(-3);
    expect(p.flags.json("filter")).toEqual({});
    expect(p.flags.boolean("quiet")).toBe(false);
    expect(p.globals.boolean("json")).toBe(true);
  });

  it("reads numbers and comma-separated values, each checked against the choices", () => {
    const p = parse("stats", "--ratio", "0.25", "--status", "paused, failed,", "--labels=a,b");
    expect(p.error).toBeUndefined();
    expect(p.flags.number("ratio")).toBe(0.25);
    expect(p.flags.csv("status")).toEqual(["paused", "failed"]);
    expect(p.flags.csv("labels")).toEqual(["a", "b"]);
    expect(p.flags.csv("since")).toBeUndefined();
    expect(parse("stats", "--ratio", "1e3").error).toBe('--ratio needs a number, not "1e3"');
    expect(parse("stats", "--status", "paused,faild").error).toBe(
      '--status must be one of failed, paused, not "faild" (did you mean failed?)',
    );
    expect(parse("stats", "--labels", ",").error).toBe("--labels needs at least one value");
  });

  it("repeats list options; the last of any other wins", () => {
    const p = parse("items", "add", "n", "--kind", "a", "--kind", "b", "--tag", "x", "--tag", "y");
    expect(p.flags.list("tag")).toEqual(["x", "y"]);
    expect(p.flags.string("kind")).toBe("b");
  });

  it("reads a global option anywhere, and before a command that shadows it", () => {
    const p = parse("--url", "relay", "items", "add", "n", "--kind", "k", "--url", "target", "--json");
    expect(p.globals.string("url")).toBe("relay");
    expect(p.flags.string("url")).toBe("target");
    expect(p.globals.boolean("json")).toBe(true);
    expect(parse("stats", "--url", "relay").globals.string("url")).toBe("relay");
  });

  it("takes everything after -- as arguments, and a value starting with one dash", () => {
    const p = parse("items", "add", "--kind", "-k", "--", "--quiet");
    expect(p).toMatchObject({ args: ["--quiet"], error: undefined });
    expect(p.flags.string("kind")).toBe("-k");
    expect(p.flags.boolean("quiet")).toBe(false);
  });

  it.each([
    [[], "missing command: one of items, stats"],
    [["items"], "missing command: one of add"],
    [["nope"], 'unknown command "nope": one of items, stats'],
    [["__proto__"], 'unknown command "__proto__": one of items, stats'],
    [["items", "add"], "missing <name>"],
    [["items", "add", "a", "b", "--kind", "k"], 'unexpected argument "b"'],
    [["items", "add", "a"], "missing --kind"],
    [["items", "add", "a", "--kind"], "--kind needs a value"],
    [["items", "add", "a", "--kind", "--quiet"], "--kind needs a value"],
    [["items", "add", "a", "--kind", "k", "--limit", "1.5"], '--limit needs an integer, not "1.5"'],
    [["items", "add", "a", "--kind", "k", "--quiet=yes"], "--quiet takes no value"],
    [["items", "add", "a", "--kind", "k", "--constructor"], "unknown option --constructor"],
    [["stats", "-x"], "unknown option -x"],
    [["stats", "--tag", "a"], "unknown option --tag"],
  ])("%j: %s", (argv, error) => {
    expect(parse(...argv).error).toBe(error);
  });

  it("says why a json option is not JSON", () => {
    expect(parse("items", "add", "a", "--kind", "k", "--filter", "{a:1}").error).toMatch(/^--filter is not JSON: .+/);
  });

  it("notes --help and -h wherever they are, keeping the command reached", () => {
    expect(parse("items", "--help", "add")).toMatchObject({ help: true, path: ["items", "add"] });
    expect(parse("-h", "nope")).toMatchObject({ help: true, path: [], error: expect.any(String) });
  });

  const vocabulary = fc.constantFrom(
    "items",
    "add",
    "stats",
    "--url",
    "--json",
    "--tag",
    "--limit",
    "--filter",
    "--kind",
    "--quiet",
    "--since",
    "--",
    "-h",
    "--help",
    "-",
    "--=",
    "--limit=",
    "--__proto__",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "--toString=1",
    "{}",
    "7",
  );
  const argvs = fc.array(fc.oneof(vocabulary, fc.string(), fc.string({ unit: "binary" })), { maxLength: 12 });

  it("never throws: any argv gives a command reached and either an error or a complete command line", () => {
    fc.assert(
      fc.property(argvs, (argv) => {
        const p = parseArgv(argv, tree);
        expect(p.path.length).toBeLessThanOrEqual(2);
        if (p.error !== undefined) {
          expect(p.error.length).toBeGreaterThan(0);
          return;
        }
        expect(p.command.commands).toBeUndefined();
        expect(p.args).toHaveLength((p.command as CommandSpec).args?.length ?? 0);
      }),
    );
  });

  it("reads back what a well-formed command line gives, in any order", () => {
    const value = fc.string({ minLength: 1 }).filter((s) => !s.startsWith("-"));
    fc.assert(
      fc.property(
        value,
        value,
        fc.array(value, { maxLength: 3 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.boolean(),
        (name, kind, tags, limit, quiet) => {
          const options = [
            ["--kind", kind],
            ...tags.map((tag) => [`--tag=${tag}`]),
            ["--limit", String(limit)],
            ...(quiet ? [["--quiet"]] : []),
          ];
          const p = parseArgv(["items", "add", ...options.reverse().flat(), "--", name], tree);
          expect(p.error).toBeUndefined();
          expect(p.args).toEqual([name]);
          expect(p.flags.string("kind")).toBe(kind);
          expect(p.flags.list("tag")).toEqual([...tags].reverse());
          expect(p.flags.integer("limit")).toBe(limit);
          expect(p.flags.boolean("quiet")).toBe(quiet);
        },
      ),
    );
  });
});

describe("run", () => {
  it("never throws on any argv: it answers 0, 1 or 2 and prints an error for 1 and 2", async () => {
    const words = fc.constantFrom(
      "sources",
      "destinations",
      "calls",
      "deliveries",
      "replay",
      "stats",
      "add",
      "list",
      "rotate",
      "test",
      "enable",
      "retry",
      "--all",
      "--limit",
      "--json",
      "--url",
      "--config",
      "--filter",
      "--since",
      "--until",
      "--name",
      "--type",
      "{}",
      "2026-01-01",
    );
    const refused = async () => Response.json({ error: { code: "unauthorized", message: "no" } }, { status: 401 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(words, fc.string()), { maxLength: 10 }), async (argv) => {
        let stdout = "";
        let stderr = "";
        const code = await run(argv, {
          fetch: refused,
          env: { CALLRELAY_URL: "https://relay.test", CALLRELAY_TOKEN: "t" },
          stdout: { write: (text) => (stdout += text) },
          stderr: { write: (text) => (stderr += text) },
        });
        expect([0, 1, 2]).toContain(code);
        if (code === 0) expect(stdout).toMatch(/^Usage: callrelay/);
        else expect(stderr).toMatch(/^error: /);
      }),
    );
  });
});
