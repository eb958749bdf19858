import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EVENT_TYPES } from "../../cli/commands/destinations.mjs";
import { eventTypes } from "../../src/model/events/types";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, deliveriesOf, push, record, waitForStatus } from "../support/worker";
import { cli, cliJson, tableRows } from "./kit";

afterEach(() => vi.unstubAllGlobals());

const uniqueTaskId = () => Math.floor(Math.random() * 1e12);

interface Destination {
  id: string;
  name: string;
  options: Record<string, unknown>;
  events: string[];
}

async function webhook(taskId: number, extra: Record<string, unknown> = {}) {
  const res = await admin("/destinations", {
    body: { name: `ops-${taskId}`, type: "webhook", config: { url: hookUrl() }, filter: { taskId }, ...extra },
  });
  return res.json<Destination>();
}

/** Pushes one call per record for a destination created disabled, so its deliveries wait paused; then enables it in D1. */
async function pausedDeliveries(taskId: number, count: number) {
  const dest = await webhook(taskId, { enabled: false });
  const records = Array.from({ length: count }, () => record({ taskId }));
  expect((await push({ array: records })).status).toBe(200);
  await env.DB.prepare("UPDATE destinations SET enabled = 1 WHERE id = ?").bind(dest.id).run();
  return { dest, records };
}

describe("the CLI's event types", () => {
  it("are the API's", () => {
    expect(EVENT_TYPES).toEqual([...eventTypes]);
  });
});

describe("deliveries retry", () => {
  it("sends a retrying delivery now and keeps its attempts", async () => {
    const receiver = installReceiver();
    receiver.answer(() => new Response("busy", { status: 503 }));
    const taskId = uniqueTaskId();
    const dest = await webhook(taskId);
    const call = record({ taskId });
    await push({ array: [call] });
    const retrying = await waitForStatus(dest.id, call.voiceId, "retrying");
    receiver.answer(() => new Response("ok"));

    const { code, stdout } = await cli(["deliveries", "retry", retrying.id]);
    expect(code).toBe(0);
    expect(stdout).toBe(`Delivery ${retrying.id} to "${dest.name}" is retrying, sent now (attempts so far: 1).\n`);
    const delivered = await waitForStatus(dest.id, call.voiceId, "delivered");
    expect(delivered.attempts).toBe(2);
  });

  it("names an unknown delivery and exits 1", async () => {
    const { code, stderr } = await cli(["deliveries", "retry", "dlv_nope"]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: "error: No delivery dlv_nope\n" });
  });
});

describe("destinations retry", () => {
  it("asks, then sends every matching delivery again and says how many", async () => {
    installReceiver();
    const { dest, records } = await pausedDeliveries(uniqueTaskId(), 2);
    const questions: string[] = [];
    const { code, stdout, sent } = await cli(["destinations", "retry", dest.id, "--status", "paused"], {
      ask: async (question) => {
        questions.push(question);
        return true;
      },
    });
    expect(code).toBe(0);
    expect(questions).toEqual([
      `Send the paused deliveries of "${dest.name}" (${dest.id}) again now. Continue? [y/N] `,
    ]);
    expect(stdout).toBe(`Sent 2 deliveries of "${dest.name}" (${dest.id}) again.\n`);
    expect(sent.filter((s) => s.method === "POST").map((s) => JSON.parse(s.body ?? "{}"))).toEqual([
      { status: ["paused"] },
    ]);
    for (const r of records) await waitForStatus(dest.id, r.voiceId, "delivered");
  });

  it("follows nextCursor until done, counting every chunk", async () => {
    const answers = [
      { retried: 500, nextCursor: "c1" },
      { retried: 7, nextCursor: null },
    ];
    const bodies: unknown[] = [];
    const fetch = async (_url: string, init: RequestInit) => {
      if (init.method === "GET") {
        return Response.json({ id: "dst_x", name: "crm", type: "webhook", events: [], circuit: "closed" });
      }
      bodies.push(JSON.parse(String(init.body)));
      return Response.json(answers[bodies.length - 1]);
    };
    const window = ["--since", "2026-03-01", "--until", "2026-03-02"];
    const result = await cli(["destinations", "retry", "dst_x", "--status", "failed,retrying", ...window, "--yes"], {
      fetch,
    });
    expect(result).toMatchObject({ code: 0, stdout: 'Sent 507 deliveries of "crm" (dst_x) again.\n' });
    const base = { status: ["failed", "retrying"], since: "2026-03-01", until: "2026-03-02" };
    expect(bodies).toEqual([base, { ...base, cursor: "c1" }]);
  });

  it("refuses without --yes when nobody can answer, and names a wrong status with a suggestion", async () => {
    const { dest, records } = await pausedDeliveries(uniqueTaskId(), 1);
    const unasked = await cli(["destinations", "retry", dest.id]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain("pass --yes to confirm");
    const typo = await cli(["destinations", "retry", dest.id, "--status", "paused,faild", "--yes"]);
    expect(typo).toMatchObject({ code: 2, sent: [] });
    expect(typo.stderr).toMatch(
      /^error: --status must be one of failed, paused, retrying, not "faild" \(did you mean failed\?\)\n/,
    );
    const [paused] = await deliveriesOf(dest.id, records[0]?.voiceId ?? "");
    expect(paused?.status).toBe("paused");
  });

  it("says when nothing matches", async () => {
    const dest = await webhook(uniqueTaskId());
    const { code, stdout } = await cli(["destinations", "retry", dest.id, "--status", "failed", "--yes"]);
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: `No failed deliveries of "${dest.name}" (${dest.id}) to send.\n`,
    });
  });

  it("names an unknown destination and exits 1", async () => {
    const { code, stderr } = await cli(["destinations", "retry", "dst_nope", "--yes"]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: "error: No destination dst_nope\n" });
  });
});

describe("calls explain", () => {
  it("shows, per destination, whether the call matches and why not", async () => {
    const taskId = uniqueTaskId();
    const source = await cliJson<{ id: string; token: string }>(["sources", "add", `exp-${taskId}`]);
    const matching = await webhook(taskId);
    const other = await webhook(taskId + 1);
    const call = record({ taskId });
    expect((await push({ array: [call] }, { token: source.token })).status).toBe(200);

    const { code, stdout } = await cli(["calls", "explain", call.voiceId, "--source", source.id]);
    expect(code).toBe(0);
    const [header, ...rows] = tableRows(stdout);
    expect(header).toEqual(["DESTINATION", "ID", "TYPE", "MATCHED", "REASON"]);
    expect(rows.find((r) => r[1] === matching.id)).toEqual([matching.name, matching.id, "webhook", "yes", "-"]);
    const miss = rows.find((r) => r[1] === other.id);
    expect(miss?.slice(0, 4)).toEqual([other.name, other.id, "webhook", "no"]);
    expect(miss?.[4]).toContain("taskId");
  });

  it("names an unknown call and exits 1", async () => {
    const { code, stderr } = await cli(["calls", "explain", "nope"]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: "error: No call nope from source src_default\n" });
  });
});

describe("destinations test --event", () => {
  it("sends a sample of the event type", async () => {
    const receiver = installReceiver();
    const dest = await webhook(uniqueTaskId(), { events: ["records.rejected"] });
    const { code, stdout, sent } = await cli(["destinations", "test", dest.id, "--event", "records.rejected"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^verdict: +delivered$/m);
    expect(sent.at(-1)?.body).toBe('{"event":"records.rejected"}');
    expect(JSON.parse(receiver.received.at(-1)?.body ?? "{}")).toMatchObject({ type: "records.rejected" });
  });

  it("suggests the event type meant, asking nothing of the API", async () => {
    const { code, stderr, sent } = await cli(["destinations", "test", "dst_x", "--event", "records.rejectd"]);
    expect({ code, sent }).toEqual({ code: 2, sent: [] });
    expect(stderr).toMatch(/ not "records\.rejectd" \(did you mean records\.rejected\?\)\n/);
    expect(stderr.match(/error:/g)).toHaveLength(1);
  });
});

describe("destinations add, edit and show with events", () => {
  it("sets the event types and their options, and shows them with the circuit", async () => {
    const taskId = uniqueTaskId();
    const created = await cliJson<Destination>([
      "destinations",
      "add",
      "--name",
      `ev-${taskId}`,
      "--type",
      "webhook",
      "--url",
      hookUrl(),
      "--events",
      "call.reported,pushes.silent",
      "--silent-minutes",
      "45",
      "--active-hours",
      "09:00-21:00",
    ]);
    expect(created.events).toEqual(["call.reported", "pushes.silent"]);
    expect(created.options).toMatchObject({ silentMinutes: 45, activeHours: "09:00-21:00" });

    const edited = await cli([
      "destinations",
      "edit",
      created.id,
      "--events",
      "digest.daily,connect_rate.dropped",
      "--drop-ratio",
      "0.3",
      "--digest-at",
      "08:30",
    ]);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/^events: +digest\.daily, connect_rate\.dropped$/m);
    const stored = await (await admin(`/destinations/${created.id}`)).json<Destination>();
    expect(stored.options).toMatchObject({ silentMinutes: 45, dropRatio: 0.3, digestAt: "08:30" });

    const shown = await cli(["destinations", "show", created.id]);
    expect(shown.stdout).toMatch(/^circuit: +closed$/m);
    expect(shown.stdout).toMatch(/^events: +digest\.daily, connect_rate\.dropped$/m);
  });

  it("shows an open circuit with when it closes", async () => {
    const dest = await webhook(uniqueTaskId());
    await env.DB.prepare("UPDATE destinations SET circuit = 'open', open_until = ? WHERE id = ?")
      .bind(Date.UTC(2030, 0, 1, 8), dest.id)
      .run();
    const shown = await cli(["destinations", "show", dest.id]);
    expect(shown.stdout).toMatch(/^circuit: +open until 2030-01-01 08:00:00Z$/m);
  });

  it("passes the API's message for a bad setting once", async () => {
    const dest = await webhook(uniqueTaskId());
    const { code, stderr } = await cli(["destinations", "edit", dest.id, "--active-hours", "9-21"]);
    expect(code).toBe(1);
    expect(stderr.match(/error:/g)).toHaveLength(1);
    expect(stderr).toContain("HH:MM-HH:MM");
  });
});

describe("stats --interval", () => {
  it("adds the series per day", async () => {
    const taskId = uniqueTaskId();
    await push({ array: [record({ taskId })] });
    const { code, stdout } = await cli(["stats", "--interval", "day"]);
    expect(code).toBe(0);
    const series = stdout.split("\nPer day\n")[1] ?? "";
    const [header, first] = tableRows(series);
    expect(header).toEqual(["DAY", "CALLS", "CONNECTED", "RATE"]);
    expect(first?.[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect((await cli(["stats"])).stdout).not.toContain("Per ");
  });
});
