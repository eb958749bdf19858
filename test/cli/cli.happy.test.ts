import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_PAGES } from "../../cli/http.mjs";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, BASE, deliveriesOf, push, record, rows, waitForStatus } from "../support/worker";
import { cli, cliJson, tableRows } from "./kit";

afterEach(() => vi.unstubAllGlobals());

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);
const shortTimeCell = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

interface SourceToken {
  id: string;
  name: string;
  token: string;
  pushUrl: string;
  createdAt: string;
}

interface Destination {
  id: string;
  name: string;
  enabled: boolean;
  secret?: string;
  [field: string]: unknown;
}

/** A webhook destination that only takes calls of `taskId`, so other tests' pushes never reach it. */
function addDestination(taskId: number, extra: Record<string, unknown> = {}) {
  return admin("/destinations", {
    body: { name: `cli-${taskId}`, type: "webhook", config: { url: hookUrl() }, filter: { taskId }, ...extra },
  }).then((res) => res.json<Destination>());
}

async function pushRecords(records: Record<string, unknown>[], token?: string) {
  const res = await push({ array: records }, { token });
  expect(res.status).toBe(200);
}

describe("callrelay --help", () => {
  it.each([
    [[]],
    [["sources"]],
    [["sources", "add"]],
    [["sources", "list"]],
    [["sources", "rotate"]],
    [["sources", "delete"]],
    [["destinations"]],
    [["destinations", "add"]],
    [["destinations", "list"]],
    [["destinations", "test"]],
    [["destinations", "disable"]],
    [["destinations", "enable"]],
    [["destinations", "show"]],
    [["destinations", "edit"]],
    [["destinations", "delete"]],
    [["destinations", "rotate-secret"]],
    [["calls"]],
    [["calls", "list"]],
    [["calls", "show"]],
    [["deliveries"]],
    [["deliveries", "list"]],
    [["deliveries", "show"]],
    [["deliveries", "retry"]],
    [["destinations", "retry"]],
    [["calls", "explain"]],
    [["pushes"]],
    [["pushes", "list"]],
    [["pushes", "show"]],
    [["pushes", "reprocess"]],
    [["replay"]],
    [["stats"]],
    [["stats", "tasks"]],
  ])("prints the help of %j without asking the API", async (path) => {
    const result = await cli([...path, "--help"], { env: {} });
    expect(result).toMatchObject({ code: 0, stderr: "", sent: [] });
    expect(result.stdout).toMatch(new RegExp(`^Usage: ${["callrelay", ...path].join(" ")}( |\\n)`));
    expect(result.stdout).toContain("Global options:\n  --relay URL");
  });

  it("lists every command on the top level, also when run without arguments", async () => {
    const { code, stdout } = await cli([], { env: {} });
    expect(code).toBe(0);
    expect(stdout).toContain("  sources add <name>");
    expect(stdout).toContain("  destinations add --name N --type T [options]");
    expect(stdout).toContain("  replay <destinationId> --since T [options]");
    expect(stdout).toContain("  pushes reprocess <id>");
    expect(stdout).toContain("  destinations edit <id> [options]");
    expect(stdout).toContain("  stats [options]");
    expect(stdout).toContain("  stats tasks [options]");
    expect((await cli(["-h"], { env: {} })).stdout).toBe(stdout);
  });

  it("gives the relay's URL and a destination's URL different flags", async () => {
    const { stdout } = await cli(["destinations", "add", "-h"], { env: {} });
    expect(stdout).toContain("  --url U ");
    expect(stdout).toMatch(/--relay URL +The relay's base URL \(or set CALLRELAY_URL\)\n/);
    expect(stdout).not.toContain("give it before");
  });
});

describe("callrelay sources", () => {
  it("add prints the token and push URL once; the token pushes", async () => {
    const name = `cli-${crypto.randomUUID()}`;
    const { code, stdout, stderr } = await cli(["sources", "add", name]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const token = /^token: +(\S+)$/m.exec(stdout)?.[1];
    expect(token).toMatch(/^[a-z2-7]{52}$/);
    expect(stdout).toMatch(new RegExp(`^Created source "${name}" \\(src_[a-z2-7]+\\)\\.\n`));
    expect(stdout).toContain(`push URL:  ${BASE}/push/${token}\n`);
    expect(stdout).toContain("it is not shown again");
    await pushRecords([record()], token);
  });

  it("add --json prints the API's answer", async () => {
    const created = await cliJson<SourceToken>(["sources", "add", "cli json source"]);
    expect(created).toEqual({
      id: expect.stringMatching(/^src_/),
      name: "cli json source",
      token: expect.any(String),
      pushUrl: `${BASE}/push/${created.token}`,
      createdAt: expect.any(String),
    });
  });

  it("list shows every source with its push and call counts", async () => {
    const source = await cliJson<SourceToken>(["sources", "add", `cli-${crypto.randomUUID()}`]);
    await pushRecords([record(), record()], source.token);

    const { code, stdout } = await cli(["sources", "list"]);
    expect(code).toBe(0);
    const [header, ...lines] = tableRows(stdout);
    expect(header).toEqual(["ID", "NAME", "PUSHES", "CALLS", "LAST PUSH", "CREATED"]);
    expect(lines[0]?.slice(0, 2)).toEqual(["src_default", "default (built-in)"]);
    expect(lines.find((line) => line[0] === source.id)).toEqual([
      source.id,
      source.name,
      "1",
      "2",
      shortTimeCell,
      shortTimeCell,
    ]);

    const json = await cliJson<{ data: { id: string }[]; nextCursor: string | null }>(["sources", "list"]);
    expect(json.nextCursor).toBeNull();
    expect(json.data.find((s) => s.id === source.id)).toMatchObject({ pushes: 1, calls: 2 });
  });

  it("rotate prints a new token; the old one stops working", async () => {
    const source = await cliJson<SourceToken>(["sources", "add", `cli-${crypto.randomUUID()}`]);
    const { code, stdout } = await cli(["sources", "rotate", source.id, "--yes"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`New token for source "${source.name}" (${source.id}).`);
    const token = /^token: +(\S+)$/m.exec(stdout)?.[1];
    expect(token).not.toBe(source.token);
    expect((await push({ array: [record()] }, { token: source.token })).status).toBe(401);
    await pushRecords([record()], token);

    const again = await cliJson<SourceToken>(["sources", "rotate", source.id, "--yes"]);
    expect(again).toMatchObject({ id: source.id, pushUrl: `${BASE}/push/${again.token}` });
    expect((await push({ array: [record()] }, { token })).status).toBe(401);
  });
});

describe("callrelay destinations", () => {
  it("add creates a webhook with every option and prints its secret once", async () => {
    const taskId = uniqueTaskId();
    const source = await cliJson<SourceToken>(["sources", "add", `cli-${crypto.randomUUID()}`]);
    const other = await cliJson<SourceToken>(["sources", "add", `cli-${crypto.randomUUID()}`]);
    const url = hookUrl();
    const { code, stdout, stderr } = await cli([
      "destinations",
      "add",
      "--name",
      "crm",
      "--type",
      "webhook",
      "--url",
      url,
      "--filter",
      JSON.stringify({ taskId }),
      "--source",
      source.id,
      "--source",
      other.id,
      "--locale",
      "zh",
      "--message-timezone",
      "UTC",
      "--no-mask-callee",
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const id = /^Created webhook destination "crm" \((dst_[a-z2-7]+)\)\.$/m.exec(stdout)?.[1];
    const secret = /^secret: +(whsec_\S+)$/m.exec(stdout)?.[1];
    expect(stdout).toContain("it is not shown again");
    const stored = await (await admin(`/destinations/${id}`)).json<Destination>();
    expect(stored).toMatchObject({
      name: "crm",
      type: "webhook",
      filter: { taskId },
      sourceIds: [source.id, other.id],
      options: { locale: "zh", timezone: "UTC", maskCallee: false },
      enabled: true,
    });
    const [row] = await rows<{ config: string }>("SELECT config FROM destinations WHERE id = ?", id);
    expect(JSON.parse(row?.config ?? "{}")).toEqual({ url, secret });
  });

  it("add --config --json sends the whole config and prints the API's answer", async () => {
    const taskId = uniqueTaskId();
    const url = hookUrl();
    const created = await cliJson<Destination>([
      "destinations",
      "add",
      "--name",
      "with headers",
      "--type",
      "webhook",
      "--config",
      JSON.stringify({ url, headers: { "x-team": "sales" } }),
      "--filter",
      JSON.stringify({ taskId }),
    ]);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^dst_/),
      name: "with headers",
      config: { url: "http://127.0.0.1:9/…", headers: { "x-team": "********" } },
      filter: { taskId },
      sourceIds: [],
      secret: expect.stringMatching(/^whsec_/),
    });
  });

  it("list shows each destination with its state, masked target, filter and sources", async () => {
    const taskId = uniqueTaskId();
    const dest = await addDestination(taskId, { enabled: false });
    const { code, stdout } = await cli(["destinations", "list"]);
    expect(code).toBe(0);
    const [header, ...lines] = tableRows(stdout);
    expect(header).toEqual(["ID", "NAME", "TYPE", "STATE", "TARGET", "FILTER", "SOURCES", "CREATED"]);
    expect(lines.find((line) => line[0] === dest.id)).toEqual([
      dest.id,
      dest.name,
      "webhook",
      "disabled",
      "http://127.0.0.1:9/…",
      JSON.stringify({ taskId }),
      "all",
      shortTimeCell,
    ]);
    const json = await cliJson<{ data: Destination[] }>(["destinations", "list"]);
    expect(json.data.find((d) => d.id === dest.id)).toEqual(await (await admin(`/destinations/${dest.id}`)).json());
  });

  it("test sends the sample call and prints the verdict", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("thanks", { status: 202 }));
    const dest = await addDestination(uniqueTaskId());
    const { code, stdout } = await cli(["destinations", "test", dest.id]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^verdict: +delivered\nstatus: +HTTP 202\ntime: +\d+ ms\nerror: +-\nanswer: +thanks\n$/);

    const json = await cliJson<Record<string, unknown>>(["destinations", "test", dest.id]);
    expect(json).toEqual({
      ok: true,
      statusCode: 202,
      durationMs: expect.any(Number),
      verdict: "delivered",
      responseBody: "thanks",
      error: null,
    });
    expect(receiver.received).toHaveLength(2);
  });

  it("disable and enable switch a destination; enabling sends what was paused", async () => {
    const receiver = installReceiver();
    const taskId = uniqueTaskId();
    const dest = await addDestination(taskId);

    const disabled = await cli(["destinations", "disable", dest.id]);
    expect(disabled).toMatchObject({ code: 0, stdout: `Destination "${dest.name}" (${dest.id}) is disabled.\n` });
    expect(disabled.sent.map((s) => [s.method, s.body])).toEqual([["PATCH", '{"enabled":false}']]);
    const r = record({ taskId });
    await pushRecords([r]);
    expect((await deliveriesOf(dest.id, r.voiceId))[0]?.status).toBe("paused");

    const enabled = await cliJson<Destination>(["destinations", "enable", dest.id]);
    expect(enabled).toMatchObject({ id: dest.id, enabled: true, disabledReason: null });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    expect(receiver.received).toHaveLength(1);
    expect((await cli(["destinations", "disable", dest.id, "--json"])).stdout).toContain('"enabled": false');
    expect((await cli(["destinations", "enable", dest.id])).stdout).toBe(
      `Destination "${dest.name}" (${dest.id}) is enabled.\n`,
    );
  });
});

describe("callrelay calls list", () => {
  it("lists calls newest first, filtered by the API", async () => {
    const taskId = uniqueTaskId();
    const hit = record({ taskId, intentCode: "302", intent: "Interested", callStatusNew: 1, callDuration: 35 });
    const miss = record({ taskId, intentCode: null, intent: null, callStatusNew: 3, callDuration: 0 });
    await pushRecords([hit, miss]);

    const { code, stdout, stderr, sent } = await cli(["calls", "list", "--task-id", String(taskId)]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(new URL(sent[0]?.url ?? "").search).toBe(`?taskId=${taskId}&timezone=UTC`);
    expect(tableRows(stdout)).toEqual([
      ["RECEIVED", "VOICE ID", "CALLEE", "CONNECTED", "SECS", "INTENT", "TASK", "STATUS", "SOURCE"],
      [shortTimeCell, miss.voiceId, miss.callee, "no", "0", "-", String(taskId), "not_connected", "src_default"],
      [
        shortTimeCell,
        hit.voiceId,
        hit.callee,
        "yes",
        "35",
        "302 Interested",
        String(taskId),
        "connected",
        "src_default",
      ],
    ]);

    const voices = async (...argv: string[]) =>
      (
        await cliJson<{ data: { voiceId: string }[] }>(["calls", "list", "--task-id", String(taskId), ...argv])
      ).data.map((c) => c.voiceId);
    expect(await voices()).toEqual([miss.voiceId, hit.voiceId]);
    expect(await voices("--connected")).toEqual([hit.voiceId]);
    expect(await voices("--intent-code", "302")).toEqual([hit.voiceId]);
    expect(await voices("--filter", '{"callDuration":{"$lt":10}}')).toEqual([miss.voiceId]);
    expect(await voices("--source", "src_default")).toEqual([miss.voiceId, hit.voiceId]);
    expect(await voices("--since", new Date(Date.now() + 60_000).toISOString())).toEqual([]);
    expect(await voices("--until", String(Date.now() + 60_000))).toEqual([miss.voiceId, hit.voiceId]);
    expect(await voices("--limit", "1")).toEqual([miss.voiceId]);
  });

  it("says when more calls match than one page holds", async () => {
    const taskId = uniqueTaskId();
    await pushRecords([record({ taskId }), record({ taskId }), record({ taskId })]);
    const { code, stdout, stderr } = await cli(["calls", "list", "--task-id", String(taskId), "--limit", "2"]);
    expect(code).toBe(0);
    expect(tableRows(stdout)).toHaveLength(3);
    expect(stderr).toBe("More calls match than the 2 shown: add --all, or narrow with --since/--until.\n");
  });

  it("--all follows nextCursor to the last page", async () => {
    const taskId = uniqueTaskId();
    const batch = Array.from({ length: 5 }, () => record({ taskId }));
    await pushRecords(batch);

    const { code, stdout, stderr, sent } = await cli([
      "calls",
      "list",
      "--task-id",
      String(taskId),
      "--limit",
      "2",
      "--all",
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(
      tableRows(stdout)
        .slice(1)
        .map((line) => line[1]),
    ).toEqual(batch.map((r) => r.voiceId).reverse());
    const cursors = sent.map((s) => new URL(s.url).searchParams.get("cursor"));
    expect(cursors).toEqual([null, expect.any(String), expect.any(String)]);

    const json = await cliJson<{ data: unknown[]; nextCursor: string | null }>([
      "calls",
      "list",
      "--task-id",
      String(taskId),
      "--all",
    ]);
    expect(json).toEqual({ data: expect.any(Array), nextCursor: null });
    expect(json.data).toHaveLength(5);
  });

  it(`--all stops after ${MAX_PAGES} pages and says more calls match`, async () => {
    const taskId = uniqueTaskId();
    const batch = Array.from({ length: MAX_PAGES + 2 }, () => record({ taskId }));
    await pushRecords(batch);

    const argv = ["calls", "list", "--task-id", String(taskId), "--limit", "1", "--all"];
    const { code, stdout, stderr, sent } = await cli(argv);
    expect(code).toBe(0);
    expect(sent).toHaveLength(MAX_PAGES);
    const newest = batch.map((r) => r.voiceId).reverse();
    expect(
      tableRows(stdout)
        .slice(1)
        .map((line) => line[1]),
    ).toEqual(newest.slice(0, MAX_PAGES));
    expect(stderr).toBe(
      `Stopped after ${MAX_PAGES} pages (${MAX_PAGES} calls); more match: narrow with --since/--until.\n`,
    );
    const json = await cli([...argv, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ data: expect.any(Array), nextCursor: expect.any(String) });
  });
});

describe("callrelay deliveries", () => {
  it("list shows deliveries newest first, filtered by destination and status", async () => {
    installReceiver();
    const taskId = uniqueTaskId();
    const dest = await addDestination(taskId);
    const r = record({ taskId });
    await pushRecords([r]);
    const delivery = await waitForStatus(dest.id, r.voiceId, "delivered");

    const { code, stdout } = await cli(["deliveries", "list", "--destination", dest.id]);
    expect(code).toBe(0);
    expect(tableRows(stdout)).toEqual([
      ["CREATED", "ID", "DESTINATION", "VOICE ID", "STATUS", "ATTEMPTS", "LAST", "NEXT ATTEMPT", "LAST ERROR"],
      [shortTimeCell, delivery.id, dest.name, r.voiceId, "delivered", "1", "200", "-", "-"],
    ]);

    const page = await cliJson<{ data: { id: string }[]; nextCursor: null }>([
      "deliveries",
      "list",
      "--destination",
      dest.id,
      "--status",
      "delivered",
      "--limit",
      "10",
    ]);
    expect(page).toEqual({
      data: [expect.objectContaining({ id: delivery.id, status: "delivered" })],
      nextCursor: null,
    });
    const failed = await cliJson<{ data: unknown[] }>([
      "deliveries",
      "list",
      "--destination",
      dest.id,
      "--status",
      "failed",
    ]);
    expect(failed.data).toEqual([]);
  });

  it("retry sends a paused delivery of an enabled destination again", async () => {
    const receiver = installReceiver();
    const taskId = uniqueTaskId();
    const dest = await addDestination(taskId, { enabled: false });
    const [first, second] = [record({ taskId }), record({ taskId })];
    await pushRecords([first, second]);
    const [paused] = await deliveriesOf(dest.id, first.voiceId);
    const [pausedToo] = await deliveriesOf(dest.id, second.voiceId);
    await env.DB.prepare("UPDATE destinations SET enabled = 1 WHERE id = ?").bind(dest.id).run();

    const { code, stdout } = await cli(["deliveries", "retry", paused?.id ?? ""]);
    expect(code).toBe(0);
    expect(stdout).toBe(`Delivery ${paused?.id} to "${dest.name}" is pending, sent now (attempts so far: 0).\n`);
    await waitForStatus(dest.id, first.voiceId, "delivered");

    const json = await cliJson<Record<string, unknown>>(["deliveries", "retry", pausedToo?.id ?? ""]);
    expect(json).toMatchObject({ id: pausedToo?.id, status: "pending", attempts: 0 });
    await waitForStatus(dest.id, second.voiceId, "delivered");
    expect(receiver.received).toHaveLength(2);
  });
});

describe("callrelay replay", () => {
  it("follows the API's continuation until the window is done, printing progress", async () => {
    const taskId = uniqueTaskId();
    const start = Date.UTC(2006, 0, 1);
    const records = Array.from({ length: 2_001 }, () => record({ taskId }));
    await pushRecords(records);
    await env.DB.prepare("UPDATE calls SET received_at = ? + id WHERE task_id = ?").bind(start, taskId).run();
    const dest = await addDestination(taskId, { enabled: false });
    const window = ["--since", new Date(start).toISOString(), "--until", "2006-01-02"];

    const { code, stdout, stderr, sent } = await cli(["replay", dest.id, ...window]);
    expect(code).toBe(0);
    expect(stderr).toBe("… 2000 calls read, 2000 deliveries created so far\n");
    expect(stdout).toBe("Replay complete: 2001 stored calls read, 2001 deliveries created.\n");
    const bodies = sent.filter((s) => s.method === "POST").map((s) => JSON.parse(s.body ?? "{}"));
    expect(bodies).toEqual([
      { since: new Date(start).toISOString(), until: "2006-01-02" },
      { since: new Date(start).toISOString(), until: "2006-01-02", cursor: expect.any(String) },
    ]);
    const [created] = await rows<{ n: number }>(
      "SELECT count(*) AS n FROM deliveries WHERE destination_id = ? AND status = 'paused'",
      dest.id,
    );
    expect(created?.n).toBe(2_001);

    const again = await cliJson<Record<string, number>>([
      "replay",
      dest.id,
      ...window,
      "--filter",
      '{"connected":true}',
    ]);
    expect(again).toEqual({ created: 0, scanned: 2_001, requests: 2 });
  });
});

describe("callrelay stats", () => {
  it("summarizes a source's pushes, calls, intents and deliveries", async () => {
    const source = await cliJson<SourceToken>(["sources", "add", `cli-${crypto.randomUUID()}`]);
    const dest = await addDestination(uniqueTaskId(), { enabled: false, filter: {}, sourceIds: [source.id] });
    const callTime = Date.now();
    const interested = { callTime, intentCode: "302", intent: "Interested", callStatusNew: 1 };
    const { voiceId: _, ...noVoiceId } = record();
    await pushRecords(
      [
        record(interested),
        record(interested),
        record({ callTime, intentCode: null, intent: null, callStatusNew: 3 }),
        noVoiceId,
      ],
      source.token,
    );

    const { code, stdout } = await cli(["stats", "--source", source.id]);
    expect(code).toBe(0);
    const [fields, intents, descriptions, tasks, deliveries] = stdout.split("\n\n");
    expect(fields).toMatch(
      /^window: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ to \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\npushes: +1\nrecords: +4\nrejected: +1\ncalls: +3\nconnected: +2 \(66\.7%\)$/,
    );
    expect(tableRows(intents ?? "")).toEqual([
      ["Top intents"],
      ["CODE", "INTENT", "CALLS"],
      ["302", "Interested", "2"],
      ["-", "-", "1"],
    ]);
    expect(tableRows(descriptions ?? "")).toEqual([
      ["By call description"],
      ["CODE", "DESCRIPTION", "CALLS"],
      ["1", "valid_call", "3"],
    ]);
    expect(tableRows(tasks ?? "")).toEqual([
      ["By task"],
      ["TASK", "CALLS", "CONNECTED", "RATE"],
      [String(record().taskId), "3", "2", "66.7%"],
    ]);
    expect(tableRows(deliveries ?? "")).toEqual([
      ["Deliveries by status"],
      ["DESTINATION", "PAUSED"],
      [dest.name, "3"],
    ]);

    const hour = 3_600_000;
    const since = new Date(Math.floor((Date.now() - 3 * 86_400_000) / hour) * hour).toISOString();
    const json = await cliJson<Record<string, unknown>>(["stats", "--source", source.id, "--since", since]);
    expect(json).toMatchObject({
      window: { since, until: expect.any(String) },
      pushes: 1,
      records: 4,
      rejected: 1,
      calls: 3,
      connected: 2,
      connectRate: 2 / 3,
      deliveries: [{ destinationId: dest.id, name: dest.name, status: "paused", count: 3 }],
    });
  });
});
