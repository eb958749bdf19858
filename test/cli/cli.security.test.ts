import { describe, expect, it } from "vitest";
import { hookUrl } from "../support/receiver";
import { ADMIN_TOKEN, BASE, push, record } from "../support/worker";
import { cli, cliJson, relayEnv } from "./kit";

describe("the admin token", () => {
  it("a wrong one is refused: exit 1 with the API's message, the token not echoed", async () => {
    const token = "wrong-token-7f3a9c";
    const result = await cli(["sources", "list"], { env: { CALLRELAY_URL: BASE, CALLRELAY_TOKEN: token } });
    expect(result).toMatchObject({
      code: 1,
      stdout: "",
      stderr:
        "error: Missing or wrong admin token (Authorization: Bearer <ADMIN_TOKEN>)\n" +
        "  (the admin token is --token or CALLRELAY_TOKEN: the relay's ADMIN_TOKEN)\n",
    });
    expect(result.stderr).not.toContain(token);
  });

  it("travels only in the Authorization header", async () => {
    const { sent } = await cli(["calls", "list", "--limit", "1"]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect(sent[0]?.url).not.toContain(ADMIN_TOKEN);
  });
});

describe("secrets", () => {
  it("a webhook's secret and URL are printed only by add, never by list", async () => {
    const url = `${hookUrl()}?key=s3cr3t-query`;
    const { stdout } = await cli([
      "destinations",
      "add",
      "--name",
      "secretive",
      "--type",
      "webhook",
      "--url",
      url,
      "--filter",
      '{"taskId":-1}',
    ]);
    const secret = /^secret: +(whsec_\S+)$/m.exec(stdout)?.[1] ?? "missing";
    for (const json of [false, true]) {
      const listed = await cli(["destinations", "list", ...(json ? ["--json"] : [])]);
      expect(listed.stdout).toContain("secretive");
      expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).not.toContain("s3cr3t-query");
    }
  });

  it("a source's token is printed only by add and rotate, never by list", async () => {
    const source = await cliJson<{ id: string; token: string }>(["sources", "add", `cli-${crypto.randomUUID()}`]);
    for (const argv of [
      ["sources", "list"],
      ["sources", "list", "--json"],
    ]) {
      const { stdout } = await cli(argv, { env: relayEnv });
      expect(stdout).toContain(source.id);
      expect(stdout).not.toContain(source.token);
    }
  });
});

describe("hostile input", () => {
  it("received values cannot send terminal escapes or break table rows", async () => {
    const taskId = Math.floor(Math.random() * 1e12);
    const hostile = "\u001b]0;pwned\u0007\u001b[31mred\u001b[0m\nfake row\u202eevil";
    expect((await push({ array: [record({ taskId, intentCode: "302", intent: hostile })] })).status).toBe(200);

    const { code, stdout } = await cli(["calls", "list", "--task-id", String(taskId)]);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toHaveLength(3);
    for (const char of ["\u001b", "\u0007", "\u202e"]) expect(stdout).not.toContain(char);
    expect(stdout).toContain(" ]0;pwned  [31mred [0m fake row");
    const json = await cliJson<{ data: { intent: string }[] }>(["calls", "list", "--task-id", String(taskId)]);
    expect(json.data[0]?.intent).toBe(hostile);
  });

  it("an id cannot reach another route: it is sent URL-encoded", async () => {
    const result = await cli(["destinations", "enable", "../sources"]);
    expect(result).toMatchObject({ code: 1, stderr: "error: No destination ../sources\n" });
    expect(result.sent[0]?.url).toBe(`${BASE}/api/v1/destinations/..%2Fsources`);
  });
});
