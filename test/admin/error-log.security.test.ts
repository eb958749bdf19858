import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { admin, createDestination } from "../support/worker";

const SECRET_HEADER = "Bearer hdr-secret-4f9a1c";
const BOT_TOKEN = "123456:botsecret9d2e7bAAAAAAAAAAAAAAAAAAAAAAAAAA".slice(0, 42);
const SIGNING_SECRET = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3ODk=";

/** Every line written to the console while `work` runs. */
async function captured(work: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const record = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  const spies = (["log", "error", "warn", "info"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation(record),
  );
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.join("\n");
}

describe("a D1 error while saving a destination", () => {
  beforeEach(async () => {
    await env.DB.exec(
      "CREATE TRIGGER IF NOT EXISTS test_fail_destinations BEFORE UPDATE ON destinations BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
    );
    await env.DB.exec(
      "CREATE TRIGGER IF NOT EXISTS test_fail_destination_inserts BEFORE INSERT ON destinations WHEN NEW.name = 'doomed' BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
    );
  });
  afterEach(async () => {
    await env.DB.exec("DROP TRIGGER IF EXISTS test_fail_destinations");
    await env.DB.exec("DROP TRIGGER IF EXISTS test_fail_destination_inserts");
  });

  it("logs the failure's code and statement, never the webhook's secret or headers", async () => {
    let status = 0;
    const log = await captured(async () => {
      const res = await admin("/destinations", {
        body: {
          name: "doomed",
          type: "webhook",
          config: { url: "http://127.0.0.1:9/hook", secret: SIGNING_SECRET, headers: { authorization: SECRET_HEADER } },
        },
      });
      status = res.status;
    });
    expect(status).toBe(503);
    expect(log).toContain("D1_ERROR");
    expect(log).toContain("insert into");
    for (const secret of [SECRET_HEADER, "hdr-secret-4f9a1c", SIGNING_SECRET]) expect(log).not.toContain(secret);
  });

  it("never logs a Telegram bot token", async () => {
    await env.DB.exec("DROP TRIGGER IF EXISTS test_fail_destinations");
    const created = await createDestination({
      type: "telegram",
      config: { botToken: `1:${"a".repeat(35)}`, chatId: "42" },
    });
    await env.DB.exec(
      "CREATE TRIGGER test_fail_destinations BEFORE UPDATE ON destinations BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
    );
    let status = 0;
    const log = await captured(async () => {
      const res = await admin(`/destinations/${created.id}`, {
        method: "PATCH",
        body: { config: { botToken: BOT_TOKEN } },
      });
      status = res.status;
    });
    expect(status).toBe(503);
    expect(log).toContain("update");
    expect(log).not.toContain("botsecret9d2e7b");
  });
});
