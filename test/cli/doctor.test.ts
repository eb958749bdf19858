// `npx callrelay doctor` against the real Worker (its fetch handler in workerd, with the bindings each case
// needs): healthy, then each fault it must name.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { runCron } from "../support/handlers";
import { BASE } from "../support/worker";
import { cli } from "./kit";

const ADMIN = "a".repeat(40);
const PUSH = "p".repeat(40);
const MIN = 60_000;

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** The Worker with `bindings` over the test ones (long tokens by default), as a fetch for the CLI. */
function relay(bindings: Record<string, unknown> = {}): Fetch {
  const bound = { ...env, ADMIN_TOKEN: ADMIN, PUSH_TOKEN: PUSH, ...bindings } as Env;
  return async (url, init) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url, init), bound, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** `fetch` with `extra` keys added to /health's answer (as another branch's keys would be). */
function withHealth(fetch: Fetch, extra: Record<string, unknown>): Fetch {
  return async (url, init) => {
    const res = await fetch(url, init);
    if (new URL(url).pathname !== "/health") return res;
    return Response.json({ ...(await res.json<Record<string, unknown>>()), ...extra });
  };
}

interface Finding {
  level: "ok" | "info" | "warn" | "fail";
  check: string;
  message: string;
}

async function doctor(fetch: Fetch, token = ADMIN) {
  const run = await cli(["doctor", "--json"], {
    env: { CALLRELAY_URL: BASE, CALLRELAY_TOKEN: token },
    fetch,
  });
  const report = run.stdout ? (JSON.parse(run.stdout) as { ok: boolean; findings: Finding[] }) : undefined;
  const of = (check: string) => report?.findings.filter((f) => f.check === check) ?? [];
  return { ...run, report, of, failed: report?.findings.filter((f) => f.level === "fail") ?? [] };
}

beforeEach(() => runCron(Date.now()));
afterEach(async () => {
  await env.DB.prepare("DELETE FROM deliveries WHERE id LIKE 'dlv_doctor%'").run();
});

describe("callrelay doctor", () => {
  it("finds nothing to fix on a healthy relay, and prints each check", async () => {
    const healthy = await doctor(relay());
    expect(healthy.code, healthy.stderr).toBe(0);
    expect(healthy.failed).toEqual([]);
    expect(healthy.report?.findings.map((f) => f.check)).toEqual([
      "health",
      "d1",
      "storage",
      "cron",
      "migrations",
      "jobs",
      "tokens",
      "queues",
      "public-url",
      "access",
    ]);
    expect(healthy.of("cron")[0]).toMatchObject({
      level: "ok",
      message: expect.stringMatching(/^the cron ran \d+ s ago$/),
    });
    expect(healthy.of("migrations")[0]?.level).toBe("ok");
    expect(healthy.of("jobs")[0]).toEqual({ level: "ok", check: "jobs", message: "background jobs done (0)" });
    expect(healthy.of("access")[0]).toMatchObject({ level: "ok" });

    const text = await cli(["doctor"], { env: { CALLRELAY_URL: BASE, CALLRELAY_TOKEN: ADMIN }, fetch: relay() });
    expect(text.stdout).toContain("callrelay doctor: https://relay.test\n  ✓ health");
    expect(text.stdout.trim().split("\n").at(-1)).toBe("Nothing to fix.");
  });

  it("says when the cron has stopped or never ran", async () => {
    await env.DB.prepare("UPDATE cron_runs SET last_run_at = ?")
      .bind(Date.now() - 3 * MIN)
      .run();
    const stale = await doctor(relay());
    expect(stale.code).toBe(1);
    expect(stale.failed).toEqual([
      expect.objectContaining({ check: "cron", message: expect.stringContaining("the cron last ran 3 min ago") }),
    ]);

    await env.DB.prepare("DELETE FROM cron_runs").run();
    const never = await doctor(relay());
    expect(never.of("cron")[0]).toMatchObject({ level: "fail", message: expect.stringContaining("never run") });
  });

  it("says when a delivery has waited more than 5 minutes for the queue consumers", async () => {
    const now = Date.now();
    const insert = (id: string, dueAgo: number) =>
      env.DB.prepare(
        `INSERT INTO deliveries (id, destination_id, source_id, voice_id, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, 'dst_doctor', 'src_default', ?, 'pending', 0, ?, ?, ?)`,
      )
        .bind(id, id, now - dueAgo, now - dueAgo, now - dueAgo)
        .run();
    await insert("dlv_doctor_recent", 2 * MIN);
    expect((await doctor(relay())).of("queues")[0]?.level).toBe("ok");

    await insert("dlv_doctor_late", 7 * MIN);
    const late = await doctor(relay());
    expect(late.code).toBe(1);
    expect(late.failed).toEqual([
      expect.objectContaining({
        check: "queues",
        message: expect.stringContaining("a delivery has been due for 7 min"),
      }),
    ]);
  });

  it("says which token is too short, and refuses to call a placeholder token usable", async () => {
    const short = await doctor(relay({ ADMIN_TOKEN: "short-admin-token" }), "short-admin-token");
    expect(short.code).toBe(1);
    expect(short.failed.map((f) => f.message)).toEqual([
      "ADMIN_TOKEN is 17 characters long: use 32 or more (openssl rand -hex 32)",
    ]);

    const placeholder = "replace-me-with-a-random-admin-token";
    const left = await doctor(relay({ ADMIN_TOKEN: placeholder }), placeholder);
    expect(left.failed.map((f) => f.check)).toEqual(["tokens", "admin"]);
    expect(left.of("admin")[0]?.message).toContain("ADMIN_TOKEN is still the placeholder from .dev.vars.example");
  });

  it("says PUBLIC_URL is missing when recording links are on, and whether Access is configured", async () => {
    const links = { PLATFORM_API_KEY: "key", PLATFORM_API_SECRET: "secret", PUBLIC_URL: "" };
    const missing = await doctor(relay({ ...links, ACCESS_TEAM_DOMAIN: "" }));
    expect(missing.failed).toEqual([
      expect.objectContaining({ check: "public-url", message: expect.stringContaining("PUBLIC_URL is not set") }),
    ]);
    expect(missing.of("access")[0]).toMatchObject({
      level: "info",
      message: expect.stringContaining("not configured"),
    });

    const set = await doctor(relay({ ...links, PUBLIC_URL: "https://relay.example.com" }));
    expect(set.code).toBe(0);
    expect(set.of("public-url")[0]).toMatchObject({ level: "ok", message: "PUBLIC_URL is https://relay.example.com" });
  });

  it("says the migrations did not run on a database without them", async () => {
    const bare = await doctor(relay({ DB: env.MIGRATION_DB }));
    expect(bare.code).toBe(1);
    expect(bare.of("d1")[0]?.level).toBe("fail");
    expect(bare.of("admin")[0]?.message).toContain("GET /api/v1/setup failed");
    expect(bare.of("migrations")[0]).toMatchObject({
      level: "fail",
      message: expect.stringContaining("D1 has no migrations applied but the code expects 00"),
    });
  });

  it("says D1 is nearly full", async () => {
    const limit = 10_000_000_000;
    await env.DB.prepare(
      "INSERT INTO storage_usage (id, bytes, measured_at) VALUES (1, ?1, ?2) ON CONFLICT DO UPDATE SET bytes = ?1, measured_at = ?2",
    )
      .bind(limit * 0.96, Date.now())
      .run();
    const full = await doctor(relay());
    expect(full.of("storage")[0]).toMatchObject({
      level: "fail",
      message: expect.stringContaining("D1 holds 9.6 GB of 10.0 GB (96%): lower CALL_RETENTION_DAYS now"),
    });
    await env.DB.prepare("DELETE FROM storage_usage").run();
  });

  it("reads the background jobs from /health when the Worker reports them", async () => {
    const working = await doctor(withHealth(relay(), { jobs: { pending: 2, running: 1, done: 3, failed: 0 } }));
    expect(working.code).toBe(0);
    expect(working.of("jobs")[0]).toMatchObject({
      level: "warn",
      message: expect.stringContaining("2 pending, 1 running"),
    });
    const failed = await doctor(withHealth(relay(), { jobs: { pending: 0, running: 0, done: 3, failed: 1 } }));
    expect(failed.failed.map((f) => f.check)).toEqual(["jobs"]);
  });

  it("checks what it can without the admin token, and names what it skipped", async () => {
    const anonymous = await doctor(relay(), "");
    expect(anonymous.code).toBe(0);
    expect(anonymous.of("setup")[0]).toMatchObject({ level: "info", message: expect.stringContaining("--token") });
    expect(anonymous.of("queues")).toEqual([]);
  });

  it("says when the relay cannot be reached", async () => {
    const down = await cli(["doctor"], {
      env: { CALLRELAY_URL: BASE },
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("error: could not reach https://relay.test/health: fetch failed");
  });
});

describe("callrelay doctor and the calls stream", () => {
  it("says when the stream stalls or refuses rows, from /health's history key", async () => {
    const now = Date.now();
    const stalled = await doctor(
      withHealth(relay(), {
        history: {
          configured: true,
          pendingPushes: 12,
          pendingRows: 1200,
          oldestPendingAt: now - 30 * MIN,
          invalidRows: 2,
          lastConfirmedAt: now - 31 * MIN,
          streamedFrom: now - 86_400_000,
          backfillSince: null,
        },
      }),
    );
    const history = stalled.of("history");
    expect(history.map((f) => f.level)).toEqual(["warn", "warn"]);
    expect(history[0]?.message).toMatch(/^12 pushes wait for the calls stream/);
    expect(history[1]?.message).toMatch(/^2 call rows did not match the stream's schema/);
    const quiet = await doctor(relay());
    expect(quiet.of("history")).toEqual([]); // no stream bound: nothing to say
  });
});
