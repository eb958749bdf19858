import { env, exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { type BackgroundJob, defaultJobLimits, runJobs } from "../../src/storage/jobs";
import { runCron } from "../support/handlers";
import { BASE } from "../support/worker";

/** A job over `job_probe`: sets `doubled = id * 2`, `limit` ids at a time, its cursor the last id done. */
function doubling(options: { failOnce?: number } = {}): BackgroundJob & { calls: number } {
  let failing = options.failOnce;
  const job = {
    name: "probe_doubling",
    calls: 0,
    async chunk(d1: D1Database, cursor: string | null, limit: number) {
      job.calls += 1;
      const after = cursor === null ? 0 : Number(cursor);
      if (failing !== undefined && after >= failing) {
        failing = undefined;
        throw new Error("D1 went away");
      }
      const { results } = await d1
        .prepare("SELECT id FROM job_probe WHERE id > ? ORDER BY id LIMIT ?")
        .bind(after, limit)
        .all<{ id: number }>();
      const last = results.at(-1)?.id;
      if (last === undefined) return { statements: [], rows: 0, cursor: null };
      return {
        statements: [sql`UPDATE job_probe SET doubled = id * 2 WHERE id > ${after} AND id <= ${last}`],
        rows: results.length,
        cursor: results.length < limit ? null : String(last),
      };
    },
  };
  return job;
}

const limits = { ...defaultJobLimits, chunkRows: 1000 };

async function queue(name: string) {
  await env.DB.prepare(
    "INSERT INTO jobs (name, status, created_at, updated_at) VALUES (?, 'pending', 0, 0) ON CONFLICT DO NOTHING",
  )
    .bind(name)
    .run();
}

async function job(name: string) {
  return env.DB.prepare("SELECT * FROM jobs WHERE name = ?").bind(name).first<Record<string, unknown>>();
}

async function health() {
  const res = await exports.default.fetch(`${BASE}/health`);
  return (await res.json()) as { jobs: Record<string, number> };
}

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM jobs"),
    env.DB.prepare("DROP TABLE IF EXISTS job_probe"),
    env.DB.prepare("CREATE TABLE job_probe (id INTEGER PRIMARY KEY, doubled INTEGER)"),
  ]);
  await env.DB.prepare(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) INSERT INTO job_probe (id) SELECT i FROM n",
  ).run();
});

describe("background jobs", () => {
  it("does a queued job in chunks across cron runs, resuming from its cursor, and /health counts it", async () => {
    await queue("probe_doubling");
    expect((await health()).jobs).toEqual({ pending: 1, running: 0, done: 0, failed: 0 });

    const probe = doubling();
    // A budget that ends the run after its first chunk: the job stays running, its cursor kept.
    const first = await runJobs(env.DB, Date.now(), [probe], { ...limits, budgetMs: 0.001 });
    expect(first).toMatchObject({ name: "probe_doubling", chunks: 1, rows: 1000, status: "running" });
    expect(await job("probe_doubling")).toMatchObject({
      status: "running",
      cursor: "1000",
      rows: 1000,
      lease_until: null,
    });
    expect((await health()).jobs).toEqual({ pending: 0, running: 1, done: 0, failed: 0 });

    const rest = await runJobs(env.DB, Date.now(), [probe], limits);
    expect(rest).toMatchObject({ chunks: 2, rows: 1500, status: "done" });
    expect(await job("probe_doubling")).toMatchObject({ status: "done", rows: 2500, cursor: null });
    const wrong = await env.DB.prepare("SELECT count(*) AS n FROM job_probe WHERE doubled IS NOT id * 2").first("n");
    expect(wrong).toBe(0);
    expect((await health()).jobs).toEqual({ pending: 0, running: 0, done: 1, failed: 0 });
    expect(await runJobs(env.DB, Date.now(), [probe], limits)).toBeNull();
  });

  it("keeps the work of the chunks before a failure and goes on from there at the next run", async () => {
    await queue("probe_doubling");
    const probe = doubling({ failOnce: 2000 });
    const failed = await runJobs(env.DB, Date.now(), [probe], limits);
    expect(failed).toMatchObject({ chunks: 2, rows: 2000, status: "running", error: "Error: D1 went away" });
    expect(await job("probe_doubling")).toMatchObject({ cursor: "2000", rows: 2000, failures: 1, lease_until: null });

    const resumed = await runJobs(env.DB, Date.now(), [probe], limits);
    expect(resumed).toMatchObject({ chunks: 1, rows: 500, status: "done" });
    expect(await job("probe_doubling")).toMatchObject({ status: "done", rows: 2500, failures: 0, error: null });
  });

  it("marks a job failed after failing chunks in a row, and /health says so", async () => {
    await queue("probe_doubling");
    const broken: BackgroundJob = {
      name: "probe_doubling",
      chunk: async () => {
        throw new Error("no such column");
      },
    };
    for (let i = 1; i < limits.maxFailures; i++) {
      expect(await runJobs(env.DB, Date.now(), [broken], limits)).toMatchObject({ status: "running" });
    }
    expect(await runJobs(env.DB, Date.now(), [broken], limits)).toMatchObject({ status: "failed" });
    expect(await job("probe_doubling")).toMatchObject({ status: "failed", failures: limits.maxFailures });
    expect((await health()).jobs).toMatchObject({ failed: 1 });
    expect(await runJobs(env.DB, Date.now(), [broken], limits)).toBeNull();
  });

  it("never lets two runs work on a job at once: the second finds it leased", async () => {
    await queue("probe_doubling");
    const now = Date.now();
    const slow = doubling();
    const [a, b] = await Promise.all([runJobs(env.DB, now, [slow], limits), runJobs(env.DB, now, [slow], limits)]);
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    expect(slow.calls).toBe(3);
  });

  it("leaves a job this version does not know (queued by a newer migration) to the version that does", async () => {
    await queue("from_a_newer_version");
    await runCron();
    expect(await runJobs(env.DB, Date.now(), [doubling()], limits)).toBeNull();
    expect(await job("from_a_newer_version")).toMatchObject({ status: "pending", rows: 0 });
  });
});
