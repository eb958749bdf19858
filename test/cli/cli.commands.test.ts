import { describe, expect, it } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, push, record, waitForStatus } from "../support/worker";
import { cli, cliJson, relayEnv, tableRows } from "./kit";

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);

async function webhook(taskId: number) {
  const res = await admin("/destinations", {
    body: { name: `cmd-${taskId}`, type: "webhook", config: { url: hookUrl() }, filter: { taskId } },
  });
  return res.json<{ id: string; name: string; secret: string }>();
}

describe("calls show and deliveries show", () => {
  it("show a call's fields with times in the chosen zone, and a delivery with its attempts", async () => {
    installReceiver();
    const taskId = uniqueTaskId();
    const dest = await webhook(taskId);
    const r = record({ taskId, answerTime: Date.UTC(2026, 2, 26, 7, 22, 28) });
    expect((await push({ array: [r] })).status).toBe(200);
    const delivery = await waitForStatus(dest.id, r.voiceId, "delivered");

    const call = await cli(["calls", "show", r.voiceId, "--timezone", "Asia/Shanghai"]);
    expect(call.code).toBe(0);
    expect(call.stdout).toMatch(new RegExp(`^voiceId: +${r.voiceId}$`, "m"));
    expect(call.stdout).toMatch(/^answerTime: +2026-03-26 15:22:28 \+08:00$/m);
    expect(call.stdout).toMatch(/^callDescriptionLabel: +valid_call$/m);
    expect(call.stdout).toContain(`As received:\n{\n  "answerTime": ${r.answerTime},`);

    const shown = await cli(["deliveries", "show", delivery.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status: +delivered$/m);
    expect(shown.stdout).toContain(`destination:   ${dest.name} (${dest.id})`);
    const attempts = tableRows(shown.stdout.split("Attempts\n")[1] ?? "");
    expect(attempts[0]).toEqual(["AT", "OUTCOME", "STATUS", "MS", "WAIT", "ERROR", "ANSWER"]);
    expect(attempts[1]?.slice(1, 3)).toEqual(["delivered", "200"]);

    const detail = await cliJson<{ attemptLog: { detailStatus: string; detail: { request: { body: string } } }[] }>([
      "deliveries",
      "show",
      delivery.id,
    ]);
    expect(detail.attemptLog[0]?.detailStatus).toBe("kept");
    expect(detail.attemptLog[0]?.detail.request.body).toContain(r.voiceId);

    const resent = await cli(["deliveries", "resend", delivery.id]);
    expect(resent.code).toBe(0);
    expect(resent.stdout).toContain(`Delivery ${delivery.id} to "${dest.name}" is pending, sent again now.`);
    // The real queue sends it again (the receiver answers 200): nothing is left queued.
    await waitForStatus(dest.id, r.voiceId, "delivered");
  });

  it("uses the deployment's zone, Asia/Shanghai, when neither --timezone nor CALLRELAY_TIMEZONE is set", async () => {
    const r = record({ answerTime: Date.UTC(2026, 2, 26, 7, 22, 28) });
    await push({ array: [r] });
    const { CALLRELAY_TIMEZONE: _, ...env } = relayEnv;
    const { stdout } = await cli(["calls", "show", r.voiceId], { env });
    expect(stdout).toMatch(/^answerTime: +2026-03-26 15:22:28 \+08:00$/m);
    const utc = await cli(["calls", "show", r.voiceId, "--timezone", "UTC"], { env });
    expect(utc.stdout).toMatch(/^answerTime: +2026-03-26 07:22:28Z$/m);
  });
});

describe("destinations show, edit, rotate-secret, delete", () => {
  it("edits the name, filter, url and options; shows the result", async () => {
    const taskId = uniqueTaskId();
    const dest = await webhook(taskId);
    const url = hookUrl().replace("/hook", "/other");
    const edited = await cli([
      "destinations",
      "edit",
      dest.id,
      "--name",
      "renamed",
      "--filter",
      JSON.stringify({ taskId, connected: true }),
      "--url",
      url,
      "--message-timezone",
      "Europe/Berlin",
    ]);
    expect(edited).toMatchObject({ code: 0, stderr: "" });
    expect(edited.stdout).toContain(`Updated destination "renamed" (${dest.id}).`);
    const stored = await (await admin(`/destinations/${dest.id}`)).json<Record<string, unknown>>();
    expect(stored).toMatchObject({
      name: "renamed",
      filter: { taskId, connected: true },
      options: { timezone: "Europe/Berlin" },
    });
    const shown = await cli(["destinations", "show", dest.id]);
    expect(shown.stdout).toMatch(/^name: +renamed$/m);
    expect(shown.stdout).toMatch(/^config: +\{"url":"http:\/\/127\.0\.0\.1:9\/…","secret":"\*{8}"\}$/m);
  });

  it("rotate-secret prints the new secret once, with --yes", async () => {
    const dest = await webhook(uniqueTaskId());
    const { code, stdout } = await cli(["destinations", "rotate-secret", dest.id, "--yes"]);
    expect(code).toBe(0);
    const secret = /^secret: +(whsec_\S+)$/m.exec(stdout)?.[1];
    expect(secret).toBeDefined();
    expect(secret).not.toBe(dest.secret);
    expect(stdout).toMatch(/^old one valid until: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);
  });

  it("delete --yes deletes without asking", async () => {
    const dest = await webhook(uniqueTaskId());
    const result = await cli(["destinations", "delete", dest.id, "--yes"]);
    expect(result).toMatchObject({ code: 0, stdout: `Deleted destination "${dest.name}" (${dest.id}).\n` });
    expect((await admin(`/destinations/${dest.id}`)).status).toBe(404);
  });
});

describe("sources delete", () => {
  it("deletes a source after --yes; its token stops pushing", async () => {
    const source = await cliJson<{ id: string; token: string }>(["sources", "add", `del-${crypto.randomUUID()}`]);
    expect(await cli(["sources", "delete", source.id, "--yes"])).toMatchObject({
      code: 0,
      stdout: `Deleted source ${source.id}.\n`,
    });
    expect((await push({ array: [record()] }, { token: source.token })).status).toBe(401);
  });
});

describe("pushes list, show, reprocess", () => {
  it("lists a source's pushes, shows one with its rejected records and body, and reprocesses it", async () => {
    const source = await cliJson<{ id: string; token: string }>(["sources", "add", `psh-${crypto.randomUUID()}`]);
    const { voiceId: _, ...noVoiceId } = record();
    const res = await push({ array: [record(), noVoiceId] }, { token: source.token });
    const { pushId } = await res.json<{ pushId: string }>();

    const list = await cli(["pushes", "list", "--source", source.id, "--since", "2026-01-01"]);
    expect(list.code).toBe(0);
    const [header, row, more] = tableRows(list.stdout);
    expect(header).toEqual(["RECEIVED", "ID", "SOURCE", "STATUS", "BYTES", "RECORDS", "ACCEPTED", "REJECTED", "ERROR"]);
    expect(row?.slice(1, 4)).toEqual([pushId, source.id, "stored"]);
    expect(row?.slice(5, 8)).toEqual(["2", "1", "1"]);
    expect(more).toBeUndefined();

    const shown = await cli(["pushes", "show", pushId]);
    expect(shown.stdout).toMatch(/^records: +2 \(1 accepted, 1 rejected\)$/m);
    expect(shown.stdout).toContain("Rejected records\nINDEX  VOICE ID  WHY\n1      -         voiceId: missing");
    expect(shown.stdout).toContain('Body as received:\n{"array":[');

    const again = await cli(["pushes", "reprocess", pushId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Reprocessed ${pushId} as psh_\\w+: 1 accepted, 1 rejected\\.\\n`));
    const none = await cli(["pushes", "list", "--source", source.id, "--until", "2000-01-01"]);
    expect(none).toMatchObject({ code: 0, stdout: "No pushes match.\n" });
  });
});
