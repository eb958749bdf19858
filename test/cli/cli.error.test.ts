import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, BASE, push, record, waitForStatus } from "../support/worker";
import { cli } from "./kit";

afterEach(() => vi.unstubAllGlobals());

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);

describe("errors from the API", () => {
  it("prints a validation error's message and each detail, exit code 1", async () => {
    const result = await cli(["destinations", "add", "--name", "x", "--type", "carrier-pigeon", "--url", hookUrl()]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toMatch(/^error: Invalid request: type: .+\n {2}type: .+\n$/);
  });

  it("names the config field a type's schema refuses", async () => {
    const result = await cli([
      "destinations",
      "add",
      "--name",
      "x",
      "--type",
      "slack",
      "--url",
      "https://example.com/x",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Invalid request: config\.url: .+\n {2}config\.url: .+\n$/);
  });

  it("passes bad query values to the API and prints its answer", async () => {
    const result = await cli(["calls", "list", "--since", "yesterday"]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(
      "error: Invalid request: since: expected an ISO 8601 date-time such as 2026-03-26T07:00:00Z, or epoch ms\n" +
        "  since: expected an ISO 8601 date-time such as 2026-03-26T07:00:00Z, or epoch ms\n",
    );
    const stats = await cli(["stats", "--since", "2000-01-01"]);
    expect(stats.stderr).toBe(
      "error: Invalid request: since: the window is longer than 400 days\n  since: the window is longer than 400 days\n",
    );
  });

  it("prints 404 and 409 answers", async () => {
    expect(await cli(["destinations", "test", "dst_nope"])).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "error: No destination dst_nope\n",
    });
    expect((await cli(["sources", "rotate", "src_default"])).stderr).toMatch(
      /^error: The built-in default source cannot be rotated through the API/,
    );

    installReceiver();
    const taskId = uniqueTaskId();
    const res = await admin("/destinations", {
      body: { name: "x", type: "webhook", config: { url: hookUrl() }, filter: { taskId } },
    });
    const dest = await res.json<{ id: string }>();
    const r = record({ taskId });
    await push({ array: [r] });
    const delivered = await waitForStatus(dest.id, r.voiceId, "delivered");
    expect(await cli(["deliveries", "retry", delivered.id])).toMatchObject({
      code: 1,
      stderr: `error: Only a failed, paused or retrying delivery can be retried; ${delivered.id} is delivered\n`,
    });
  });

  it("exits 1 when a destination's test answer would not count as delivered", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("<h1>down</h1>", { status: 503 }));
    const res = await admin("/destinations", {
      body: { name: "x", type: "webhook", config: { url: hookUrl() }, filter: { taskId: uniqueTaskId() } },
    });
    const { code, stdout } = await cli(["destinations", "test", (await res.json<{ id: string }>()).id]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^verdict: +retry\nstatus: +HTTP 503\ntime: +\d+ ms\nerror: +HTTP 503: <h1>down<\/h1>\n/);
  });
});

describe("usage errors", () => {
  it.each([
    [["nothing"], 'unknown command "nothing": one of sources, destinations, calls, deliveries, replay, stats', ""],
    [["sources"], "missing command: one of add, list, rotate", " sources"],
    [["sources", "add"], "missing <name>", " sources add"],
    [["sources", "list", "extra"], 'unexpected argument "extra"', " sources list"],
    [["calls", "list", "--limit"], "--limit needs a value", " calls list"],
    [["calls", "list", "--limit", "ten"], '--limit needs an integer, not "ten"', " calls list"],
    [["calls", "list", "--connected=yes"], "--connected takes no value", " calls list"],
    [["calls", "list", "--nope"], "unknown option --nope", " calls list"],
    [["calls", "list", "--filter", "{connected:true}"], "--filter is not JSON: ", " calls list"],
    [
      ["destinations", "add", "--name", "x", "--type", "webhook"],
      "give one of --url and --config",
      " destinations add",
    ],
    [["destinations", "add", "--type", "webhook", "--url", "https://x"], "missing --name", " destinations add"],
    [["replay", "dst_x", "--until", "2026-01-01"], "missing --since", " replay"],
  ])("%j: exit 2 without asking the API", async (argv, message, path) => {
    const { code, stdout, stderr, sent } = await cli(argv);
    expect({ code, stdout, sent }).toEqual({ code: 2, stdout: "", sent: [] });
    const [first, second] = stderr.split("\n");
    expect(first?.startsWith(`error: ${message}`)).toBe(true);
    expect(second).toBe(`Run "callrelay${path} --help" for usage.`);
  });

  it("rejects --url together with --config", async () => {
    const argv = ["destinations", "add", "--name", "x", "--type", "webhook", "--url", "https://x", "--config", "{}"];
    expect(await cli(argv)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("give one of --url and --config"),
    });
  });

  it("asks for the relay URL and token when neither flag nor environment gives them", async () => {
    expect(await cli(["sources", "list"], { env: {} })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: no relay URL: pass --url or set CALLRELAY_URL\n/),
      sent: [],
    });
    expect(await cli(["sources", "list"], { env: { CALLRELAY_URL: BASE, CALLRELAY_TOKEN: "" } })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: no admin token: pass --token or set CALLRELAY_TOKEN\n/),
    });
    expect(await cli(["--url", "relay.example.com", "--token", "t", "sources", "list"], { env: {} })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: "relay.example.com" is not a URL/),
    });
  });

  it("takes the URL and token from flags over the environment, also with /api/v1 and a trailing slash", async () => {
    const env = { CALLRELAY_URL: "https://elsewhere.test", CALLRELAY_TOKEN: "wrong" };
    const result = await cli(["--url", `${BASE}/api/v1/`, "--token", "test-admin-token", "sources", "list"], { env });
    expect(result.code).toBe(0);
    expect(result.sent.map((s) => s.url)).toEqual([`${BASE}/api/v1/sources?limit=200`]);
  });

  it("reads a global option given before a command that has one of the same name", async () => {
    const argv = ["--url", BASE, "destinations", "add", "--name", "x", "--type", "webhook", "--url", hookUrl()];
    const result = await cli([...argv, "--filter", JSON.stringify({ taskId: uniqueTaskId() })], {
      env: { CALLRELAY_TOKEN: "test-admin-token" },
    });
    expect(result.code).toBe(0);
    expect(result.sent[0]?.url).toBe(`${BASE}/api/v1/destinations`);
  });
});

describe("unreachable or foreign relays", () => {
  it("names the URL it could not reach, exit code 1", async () => {
    const refused = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:8787") });
    };
    const result = await cli(["destinations", "list"], {
      env: { CALLRELAY_URL: "http://localhost:8787", CALLRELAY_TOKEN: "t" },
      fetch: refused,
    });
    expect(result).toMatchObject({
      code: 1,
      stdout: "",
      stderr:
        "error: could not reach http://localhost:8787/api/v1/destinations: fetch failed (connect ECONNREFUSED 127.0.0.1:8787)\n",
    });
  });

  it("says when the answer is not the admin API's JSON", async () => {
    const proxy = async () => new Response("<html>Bad gateway</html>", { status: 502 });
    const result = await cli(["stats"], { fetch: proxy });
    expect(result).toMatchObject({
      code: 1,
      stderr: `error: HTTP 502 from ${BASE}/api/v1/stats, not the admin API's JSON: <html>Bad gateway</html>\n`,
    });
    const elsewhere = await cli(["stats"], { fetch: async () => Response.json({ hello: "world" }, { status: 404 }) });
    expect(elsewhere.stderr).toBe(`error: HTTP 404 from ${BASE}/api/v1/stats: {"hello":"world"}\n`);
  });
});
