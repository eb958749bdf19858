import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, BASE, push, record, waitForStatus } from "../support/worker";
import { cli } from "./kit";

afterEach(() => vi.unstubAllGlobals());

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);

describe("errors from the API", () => {
  it("prints a validation error once, then the other details, exit code 1", async () => {
    const result = await cli(["destinations", "add", "--name", " ", "--type", "webhook", "--url", "https://x"]);
    expect(result).toEqual(
      expect.objectContaining({ code: 1, stdout: "", stderr: "error: Invalid request: name: must not be empty\n" }),
    );
    const argv = ["destinations", "add", "--name", " ", "--type", "webhook", "--url", "https://x"];
    const two = await cli([...argv, "--filter", '{"conected":true}']);
    expect(two.stderr).toMatch(/^error: Invalid request: name: must not be empty\n {2}filter[^\n]*conected[^\n]*\n$/);
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
    expect(result.stderr).toMatch(/^error: Invalid request: config\.url: [^\n]+\n$/);
  });

  it("passes bad query values to the API and prints its answer", async () => {
    const result = await cli(["calls", "list", "--since", "yesterday"]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(
      "error: Invalid request: since: expected a date (2026-03-26) or date-time (2026-03-26T08:00, 2026-03-26T07:00:00Z), or epoch ms\n",
    );
    const stats = await cli(["stats", "--since", "2000-01-01"]);
    expect(stats.stderr).toBe("error: Invalid request: since: the window is longer than 400 days\n");
    const future = await cli(["stats", "--since", "2999-01-01"]);
    expect(future.stderr).toMatch(
      /^error: Invalid request: until: must be after since \(2999-01-01T00:00:00\.000Z\); until is now, when not given\n$/,
    );
  });

  it("prints 404 and 409 answers", async () => {
    expect(await cli(["destinations", "test", "dst_nope"])).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "error: No destination dst_nope\n",
    });
    expect((await cli(["sources", "rotate", "src_default", "--yes"])).stderr).toMatch(
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
    [
      ["nothing"],
      'unknown command "nothing": one of sources, destinations, calls, deliveries, pushes, replay, stats',
      "",
    ],
    [["delivries", "list"], 'unknown command "delivries" (did you mean deliveries?)', ""],
    [["sources", "lst"], 'unknown command "lst" (did you mean list?)', " sources"],
    [["sources"], "missing command: one of add, list, rotate, delete", " sources"],
    [["sources", "add"], "missing <name>", " sources add"],
    [["sources", "list", "extra"], 'unexpected argument "extra"', " sources list"],
    [["calls", "list", "--limit"], "--limit needs a value", " calls list"],
    [["calls", "list", "--limit", "ten"], '--limit needs an integer, not "ten"', " calls list"],
    [["calls", "list", "--connected=yes"], "--connected takes no value", " calls list"],
    [["calls", "list", "--nope"], "unknown option --nope", " calls list"],
    [["calls", "list", "--conected"], "unknown option --conected (did you mean --connected?)", " calls list"],
    [["calls", "list", "--timezon", "UTC"], "unknown option --timezon (did you mean --timezone?)", " calls list"],
    [
      ["destinations", "add", "--name", "x", "--type", "webhok", "--url", "https://x"],
      '--type must be one of webhook, slack, telegram, feishu, dingtalk, wecom, discord, teams, not "webhok" (did you mean webhook?)',
      " destinations add",
    ],
    [
      ["deliveries", "list", "--status", "faild"],
      '--status must be one of pending, delivered, retrying, failed, paused, not "faild" (did you mean failed?)',
      " deliveries list",
    ],
    [
      ["calls", "list", "--timezone", "Mars/Olympus"],
      '--timezone: unknown IANA time zone "Mars/Olympus"',
      " calls list",
    ],
    [["destinations", "edit", "dst_x"], "nothing to change", " destinations edit"],
    [["calls", "list", "--filter", "{connected:true}"], "--filter is not JSON: ", " calls list"],
    [["destinations", "add", "--name", "x", "--type", "webhook"], "give --url or --config", " destinations add"],
    [["destinations", "add", "--type", "webhook", "--url", "https://x"], "missing --name", " destinations add"],
    [["replay", "dst_x", "--until", "2026-01-01"], "missing --since", " replay"],
    [["sources", "rotate", "src_x"], "The push URL of source src_x stops working now: pass --yes", " sources rotate"],
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
      stderr: expect.stringContaining("give --url or --config, not both"),
    });
  });

  it("asks for the relay URL and token when neither flag nor environment gives them", async () => {
    expect(await cli(["sources", "list"], { env: {} })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: no relay URL: pass --relay or set CALLRELAY_URL\n/),
      sent: [],
    });
    expect(await cli(["sources", "list"], { env: { CALLRELAY_URL: BASE, CALLRELAY_TOKEN: "" } })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: no admin token: pass --token or set CALLRELAY_TOKEN\n/),
    });
    expect(await cli(["--relay", "relay.example.com", "--token", "t", "sources", "list"], { env: {} })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: "relay.example.com" is not a URL/),
    });
  });

  it("takes the URL and token from flags over the environment, also with /api/v1 and a trailing slash", async () => {
    const env = { CALLRELAY_URL: "https://elsewhere.test", CALLRELAY_TOKEN: "wrong" };
    const result = await cli(["--relay", `${BASE}/api/v1/`, "--token", "test-admin-token", "sources", "list"], { env });
    expect(result.code).toBe(0);
    expect(result.sent.map((s) => s.url)).toEqual([`${BASE}/api/v1/sources?limit=200`]);
  });

  it("takes the relay's URL and a destination's URL in one command line, in any order", async () => {
    const argv = ["destinations", "add", "--url", hookUrl(), "--relay", BASE, "--name", "x", "--type", "webhook"];
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

  it("names a server that is not a callrelay relay as such", async () => {
    const foreign = `error: ${BASE} is not a callrelay relay's admin API`;
    const proxy = async () => new Response("<html>Bad gateway</html>", { status: 502 });
    const result = await cli(["stats"], { fetch: proxy });
    expect(result).toMatchObject({
      code: 1,
      stderr: `${foreign}: HTTP 502, not JSON: <html>Bad gateway</html>. Check --relay or CALLRELAY_URL.\n`,
    });
    const elsewhere = await cli(["stats"], { fetch: async () => Response.json({ hello: "world" }, { status: 404 }) });
    expect(elsewhere.stderr).toBe(`${foreign}: HTTP 404 {"hello":"world"}. Check --relay or CALLRELAY_URL.\n`);
    const ok = await cli(["calls", "list"], { fetch: async () => Response.json({ page: 1, items: [] }) });
    expect(ok).toMatchObject({ code: 1, stdout: "" });
    expect(ok.stderr).toBe(
      `${foreign}: GET /calls answered JSON without a list ({"data": [...]}). Check --relay or CALLRELAY_URL.\n`,
    );
  });
});

describe("ids that name nothing", () => {
  it.each([
    [["calls", "list", "--source", "src_nope"], "error: No source src_nope (known: src_default"],
    [["pushes", "list", "--source", "src_nope"], "error: No source src_nope (known: src_default"],
    [["stats", "--source", "src_nope"], "error: No source src_nope (known: src_default"],
    [["deliveries", "list", "--destination", "dst_nope"], "error: No destination dst_nope"],
    [["replay", "dst_nope", "--since", "2026-01-01"], "error: No destination dst_nope"],
    [["calls", "show", "123"], "error: No call 123"],
    [["deliveries", "show", "dlv_nope"], "error: No delivery dlv_nope"],
    [["pushes", "show", "psh_nope"], "error: No push psh_nope"],
    [["destinations", "show", "dst_nope"], "error: No destination dst_nope"],
    [["destinations", "delete", "dst_nope", "--yes"], "error: No destination dst_nope"],
    [["sources", "delete", "src_nope", "--yes"], "error: No source src_nope"],
  ])("%j: exit 1, no empty table", async (argv, message) => {
    const { code, stdout, stderr } = await cli(argv);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr.startsWith(message)).toBe(true);
  });
});

describe("destructive commands", () => {
  it("ask first, and change nothing when the answer is no", async () => {
    const questions: string[] = [];
    const res = await admin("/destinations", {
      body: { name: "keep", type: "webhook", config: { url: hookUrl() }, filter: { taskId: uniqueTaskId() } },
    });
    const { id } = await res.json<{ id: string }>();
    const no = await cli(["destinations", "delete", id], {
      ask: async (q) => {
        questions.push(q);
        return false;
      },
    });
    expect(no).toMatchObject({ code: 1, stdout: "", stderr: "Cancelled: nothing was changed.\n" });
    expect(questions).toEqual([`Delete webhook destination "keep" (${id}). Continue? [y/N] `]);
    expect((await admin(`/destinations/${id}`)).status).toBe(200);
    const yes = await cli(["destinations", "delete", id], { ask: async () => true });
    expect(yes).toMatchObject({ code: 0, stdout: `Deleted destination "keep" (${id}).\n` });
    expect((await admin(`/destinations/${id}`)).status).toBe(404);
  });
});
