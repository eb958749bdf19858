import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { push, record } from "../support/worker";
import { page, signIn } from "./kit";

/** The test Worker's CSV_MAX_ROWS (vitest.config.ts). */
const CAP = 250;

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
  // No deliveries for these calls: queue work left to receivers that are gone can stall the runner.
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
});

describe("calls CSV export", () => {
  it("prefixes cells a spreadsheet would run as a formula (= + - @ tab CR)", async () => {
    const taskId = 700_000 + Math.floor(Math.random() * 1000);
    const hostile = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"];
    const pushed = hostile.map((intent) => record({ taskId, intent }));
    expect((await push({ array: pushed })).status).toBe(200);
    const text = await (await page(`/calls.csv?taskId=${taskId}`, { cookie })).text();
    const header = text.split("\r\n")[0]?.split(",") ?? [];
    expect(header).toContain("intent");
    for (const value of hostile) {
      expect(text).not.toMatch(new RegExp(`(^|,)"?${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
      expect(text).toContain(`'${value.replace(/"/g, '""')}`);
    }
  });

  it(`stops at ${CAP} rows and ends a cut export with a line that says so`, async () => {
    const taskId = 800_000 + Math.floor(Math.random() * 1000);
    expect((await push({ array: Array.from({ length: CAP + 5 }, () => record({ taskId })) })).status).toBe(200);
    const lines = (await (await page(`/calls.csv?taskId=${taskId}`, { cookie })).text()).trim().split("\r\n");
    expect(lines).toHaveLength(1 + CAP + 1);
    expect(lines.at(-1)).toMatch(new RegExp(`cut at ${CAP} rows`));
  });

  it("ends an export that fits with its last row", async () => {
    const taskId = 810_000 + Math.floor(Math.random() * 1000);
    expect((await push({ array: Array.from({ length: CAP }, () => record({ taskId })) })).status).toBe(200);
    const lines = (await (await page(`/calls.csv?taskId=${taskId}`, { cookie })).text()).trim().split("\r\n");
    expect(lines).toHaveLength(1 + CAP);
    expect(lines.at(-1)).not.toMatch(/cut at/);
  });

  it("masks callee numbers; the full-number export is a POST that the audit log records", async () => {
    const taskId = 820_000 + Math.floor(Math.random() * 1000);
    const callee = `1380013${String(taskId).slice(-4)}`;
    expect((await push({ array: [record({ taskId, callee })] })).status).toBe(200);
    const masked = await (await page(`/calls.csv?taskId=${taskId}`, { cookie })).text();
    expect(masked).not.toContain(callee);
    expect(masked).toContain(`${callee.slice(0, 3)}****${callee.slice(-4)}`);

    const before = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'calls.export'").first();
    const full = await page(`/calls.csv?taskId=${taskId}`, { cookie, method: "POST" });
    expect(full.headers.get("content-disposition")).toContain("calls.csv");
    expect(await full.text()).toContain(callee);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'calls.export'").first();
    expect(Number(after?.n)).toBe(Number(before?.n) + 1);

    // Without a session nothing is exported and nothing is recorded.
    expect((await page(`/calls.csv?taskId=${taskId}`, { method: "POST" })).status).toBe(401);
  });
});
