import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { describeError } from "../lib/log-error";
import { TASK_COST_BACKFILL, taskCostBackfillChunk } from "./call-rollups";
import { runBatch, type Statement } from "./db/batch";
import { getDb } from "./db/client";
import { type JobStatus, jobStatuses, jobs } from "./db/schema";

/**
 * A background data job: work across every row of a table (a backfill, a move to a new column) done after a
 * deploy, a bounded chunk at a time, never inside a migration. A migration queues it by inserting its row in `jobs`
 * (`INSERT INTO jobs (name, status, created_at, updated_at) VALUES ('<name>', 'pending', …) ON CONFLICT DO NOTHING`);
 * the cron runs chunks until `chunk` answers no cursor. The code must read correctly before, during and after.
 */
export interface BackgroundJob {
  name: string;
  /**
   * The next chunk from `cursor` (null: the start), at most `limit` rows: bounded reads, then the statements that
   * do the chunk's work. They run in one batch with the cursor's update, so a chunk is done once or not at all;
   * they must also be harmless to run twice (a chunk can be redone after a lost lease). `cursor: null`: the last.
   */
  chunk(d1: D1Database, cursor: string | null, limit: number): Promise<JobChunk>;
}

/** One chunk of a job: its statements, the rows it covers and where the next starts (null: the job is done). */
export interface JobChunk {
  statements: Statement[];
  rows: number;
  cursor: string | null;
}

/** Jobs this version of callrelay knows (README, Upgrading). */
export const backgroundJobs: readonly BackgroundJob[] = [
  // Counts the calls stored before migration task_rollup_costs into the task cost rollups (the campaign view).
  { name: TASK_COST_BACKFILL, chunk: (d1, _cursor, limit) => taskCostBackfillChunk(d1, limit) },
];

/** How a cron run spends its time on jobs. */
export interface JobLimits {
  /** Rows per chunk: a chunk is one D1 batch, far below D1's 30 s per query. */
  chunkRows: number;
  /** Chunks stop once this much time has passed in a run (the next cron run goes on). */
  budgetMs: number;
  /** How long a run holds a job; a run that died lets the next take it after this. */
  leaseMs: number;
  /** Failed chunks in a row before the job is `failed` (then it waits for a person: README, Upgrading). */
  maxFailures: number;
}

export const defaultJobLimits: JobLimits = { chunkRows: 1000, budgetMs: 20_000, leaseMs: 60_000, maxFailures: 5 };

/** What a run did: the job it worked on, chunks and rows done, and its status after. */
export interface JobRun {
  name: string;
  chunks: number;
  rows: number;
  status: JobStatus;
  error?: string;
}

/**
 * Works on the oldest open job this version knows, chunk after chunk within `limits.budgetMs`. A job's row is leased
 * first, so overlapping cron runs never work on it together; a job this version does not know (queued by a newer
 * migration) is left alone. Answers what was done, or null when no job was due.
 */
export async function runJobs(
  d1: D1Database,
  now = Date.now(),
  registry: readonly BackgroundJob[] = backgroundJobs,
  limits: JobLimits = defaultJobLimits,
): Promise<JobRun | null> {
  if (registry.length === 0) return null;
  const db = getDb(d1);
  const due = and(inArray(jobs.status, ["pending", "running"]), or(isNull(jobs.leaseUntil), lt(jobs.leaseUntil, now)));
  const [claimed] = await db
    .update(jobs)
    .set({ status: "running", leaseUntil: now + limits.leaseMs, updatedAt: now })
    .where(
      and(
        due,
        eq(
          jobs.name,
          db
            .select({ name: jobs.name })
            .from(jobs)
            .where(
              and(
                due,
                inArray(
                  jobs.name,
                  registry.map((j) => j.name),
                ),
              ),
            )
            .orderBy(jobs.createdAt, jobs.name)
            .limit(1),
        ),
      ),
    )
    .returning();
  if (!claimed) return null;
  const job = registry.find((j) => j.name === claimed.name) as BackgroundJob;
  const run: JobRun = { name: job.name, chunks: 0, rows: 0, status: "running" };
  let cursor = claimed.cursor;
  const started = Date.now();
  try {
    while (Date.now() - started < limits.budgetMs) {
      const chunk = await job.chunk(d1, cursor, limits.chunkRows);
      const status: JobStatus = chunk.cursor === null ? "done" : "running";
      const at = Date.now();
      await runBatch(d1, [
        ...chunk.statements,
        db
          .update(jobs)
          .set({
            cursor: chunk.cursor,
            rows: sql`${jobs.rows} + ${chunk.rows}`,
            status,
            failures: 0,
            error: null,
            leaseUntil: status === "done" ? null : at + limits.leaseMs,
            updatedAt: at,
          })
          .where(eq(jobs.name, job.name)),
      ]);
      run.chunks += 1;
      run.rows += chunk.rows;
      run.status = status;
      cursor = chunk.cursor;
      if (status === "done") break;
    }
    if (run.status === "running") {
      await db.update(jobs).set({ leaseUntil: null }).where(eq(jobs.name, job.name));
    }
  } catch (err) {
    const failures = (run.chunks > 0 ? 0 : claimed.failures) + 1;
    run.status = failures >= limits.maxFailures ? "failed" : "running";
    const logged = describeError(err);
    run.error = [logged.name, logged.code, logged.message ?? logged.reason, logged.statement]
      .filter(Boolean)
      .join(": ")
      .slice(0, 500);
    console.error(JSON.stringify({ msg: "background job chunk failed", job: job.name, failures, error: run.error }));
    await db
      .update(jobs)
      .set({ status: run.status, failures, error: run.error, leaseUntil: null, updatedAt: Date.now() })
      .where(eq(jobs.name, job.name))
      .catch(() => undefined);
  }
  if (run.chunks > 0 || run.error) console.log(JSON.stringify({ msg: "background job", ...run }));
  return run;
}

/** Jobs by status, for `/health` (`jobs`): every status present, 0 when none. */
export async function jobCounts(d1: D1Database): Promise<Record<JobStatus, number>> {
  const rows = await getDb(d1)
    .select({ status: jobs.status, n: sql<number>`count(*)` })
    .from(jobs)
    .groupBy(jobs.status);
  const counts = Object.fromEntries(jobStatuses.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
