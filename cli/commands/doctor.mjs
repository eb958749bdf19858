// @ts-check

import { tokenProblem } from "../../src/lib/secret-token.js";
import { ApiError } from "../http.mjs";
import { historyFindings } from "./history-findings.mjs";

/** The cron runs every minute: a run older than this means it stopped. */
export const CRON_STALE_MS = 2 * 60_000;
/** A delivery due longer than this means nothing consumes the queues. */
export const QUEUE_STALE_MS = 5 * 60_000;
/** D1 size (percent of the limit) from which doctor warns, and from which it fails. */
const STORAGE_WARN = 80;
const STORAGE_FAIL = 95;

/**
 * One finding: `ok` passed, `info` is worth knowing, `warn` should be fixed, `fail` must be (exit code 1).
 * @typedef {{level: "ok" | "info" | "warn" | "fail", check: string, message: string}} Finding
 */

/**
 * What `/health` answers (the keys doctor reads; older Workers lack some, other branches add `jobs`).
 * @typedef {{
 *   ok?: boolean, version?: string, d1?: boolean,
 *   storage?: {bytes: number | null, limitBytes: number, percent: number | null},
 *   cron?: {lastRunAt: string | null},
 *   migrations?: {expected: string | null, applied: string | null, current: boolean},
 *   warnings?: string[],
 *   jobs?: {pending: number, running: number, done: number, failed: number},
 *   history?: Parameters<typeof historyFindings>[0],
 * }} Health
 */

/**
 * What `GET /api/v1/setup` answers.
 * @typedef {{publicUrl: string | null, recordingLinks: boolean, access: boolean,
 *   deliveries: {oldestDueAt: string | null}}} Setup
 */

/** @param {number} ms */
const minutes = (ms) => (ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** @param {number} bytes */
const size = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

/**
 * The findings about a deployment from its `/health`, its setup (undefined without the admin token, or with the
 * reason it could not be read), and the admin token doctor was given. Pure: every check decides here.
 * @param {Health} health
 * @param {Setup | {skipped: string} | {error: string}} setup The setup; or why it was not read (no token), or
 *   what went wrong reading it
 * @param {{adminToken: string, now: number}} context
 * @returns {Finding[]}
 */
export function diagnose(health, setup, { adminToken, now }) {
  /** @type {Finding[]} */
  const findings = [];
  /**
   * @param {Finding["level"]} level
   * @param {string} check
   * @param {string} message
   */
  const add = (level, check, message) => findings.push({ level, check, message });

  add("ok", "health", `/health answers (version ${health.version ?? "?"})`);
  if (health.d1 === false) {
    add("fail", "d1", "D1 does not answer: check the DB binding's database exists (npm run deploy creates it)");
  } else add("ok", "d1", "D1 answers");

  const storage = health.storage;
  if (storage?.percent == null || storage.bytes == null)
    add("info", "storage", "no D1 size recorded yet (after the first push)");
  else {
    const line = `D1 holds ${size(storage.bytes)} of ${size(storage.limitBytes)} (${storage.percent}%)`;
    if (storage.percent >= STORAGE_FAIL)
      add("fail", "storage", `${line}: lower CALL_RETENTION_DAYS now (README, Storage)`);
    else if (storage.percent >= STORAGE_WARN)
      add("warn", "storage", `${line}: lower CALL_RETENTION_DAYS (README, Storage)`);
    else add("ok", "storage", line);
  }

  const cronHelp =
    "check [triggers] crons in wrangler.toml and the Worker's Cron Triggers (Workers → Settings → Triggers)";
  if (!health.cron) add("warn", "cron", "this Worker does not report its cron runs: deploy the current version");
  else if (health.cron.lastRunAt === null)
    add("fail", "cron", `the cron has never run (it runs every minute): ${cronHelp}`);
  else {
    const age = now - Date.parse(health.cron.lastRunAt);
    if (age > CRON_STALE_MS)
      add("fail", "cron", `the cron last ran ${minutes(age)} ago (it runs every minute): ${cronHelp}`);
    else add("ok", "cron", `the cron ran ${minutes(Math.max(0, age))} ago`);
  }

  const migrations = health.migrations;
  if (!migrations) add("warn", "migrations", "this Worker does not report its migrations: deploy the current version");
  else if (!migrations.current) {
    add(
      "fail",
      "migrations",
      `D1 has ${migrations.applied ?? "no migrations"} applied but the code expects ${migrations.expected}: run npm run deploy (it applies them)`,
    );
  } else add("ok", "migrations", `D1 is migrated (${migrations.applied})`);

  const jobs = health.jobs;
  if (!jobs) add("ok", "jobs", "no background data jobs");
  else if (jobs.failed > 0)
    add(
      "fail",
      "jobs",
      `${jobs.failed} background job(s) failed: see the Worker's logs and the README's Upgrading section (fix, then resume the job)`,
    );
  else if (jobs.pending + jobs.running > 0) {
    add(
      "warn",
      "jobs",
      `background job still working: ${jobs.pending} pending, ${jobs.running} running (watch /health)`,
    );
  } else add("ok", "jobs", `background jobs done (${jobs.done})`);

  const history = historyFindings(health.history, now);
  for (const finding of history) add("warn", "history", finding);
  if (health.history?.configured && history.length === 0) add("ok", "history", "the calls stream confirms rows");

  if (health.warnings) {
    for (const warning of health.warnings) add("fail", "tokens", warning);
    if (health.warnings.length === 0) add("ok", "tokens", "ADMIN_TOKEN and PUSH_TOKEN are long enough");
  } else {
    const problem = tokenProblem("the admin token", adminToken);
    add(
      problem ? "fail" : "info",
      "tokens",
      problem ?? "this Worker does not report its tokens: deploy the current version",
    );
  }

  if ("skipped" in setup) {
    add("info", "setup", `PUBLIC_URL, Access and the queues were not checked: ${setup.skipped}`);
    return findings;
  }
  if ("error" in setup) {
    add("fail", "admin", setup.error);
    return findings;
  }
  const due = setup.deliveries.oldestDueAt;
  const late = due === null ? 0 : now - Date.parse(due);
  if (late > QUEUE_STALE_MS) {
    add(
      "fail",
      "queues",
      `a delivery has been due for ${minutes(late)}: the queue consumers are not running or keep failing (npx wrangler queues info callrelay-deliveries; npx wrangler tail)`,
    );
  } else add("ok", "queues", "the queues are consumed (no delivery due for more than 5 min)");

  if (setup.recordingLinks && !setup.publicUrl) {
    add(
      "fail",
      "public-url",
      "recording links are on but PUBLIC_URL is not set: set it in wrangler.toml [vars] and deploy",
    );
  } else if (!setup.publicUrl) add("info", "public-url", "PUBLIC_URL is not set (needed for recording links)");
  else add("ok", "public-url", `PUBLIC_URL is ${setup.publicUrl}`);

  add(
    setup.access ? "ok" : "info",
    "access",
    setup.access
      ? "Cloudflare Access signs people into the console"
      : "Cloudflare Access is not configured: the console signs in with ADMIN_TOKEN (README, Console)",
  );
  return findings;
}

const MARK = { ok: "✓", info: "·", warn: "!", fail: "✗" };

/** @type {import("../run.mjs").Command} */
export const doctor = {
  summary: "Check a running deployment and say what to fix",
  description:
    "Reads /health (D1, its size, the cron, migrations, background jobs, token warnings) and, with the admin\n" +
    "token, GET /api/v1/setup (queues consumed, PUBLIC_URL, Cloudflare Access). Exit code 1 when something\n" +
    "must be fixed. Works against `npm run dev` and a deployed Worker alike.",
  tokenOptional: true,
  run: async ({ api, out, token }) => {
    const health = /** @type {Health} */ (await api.getPublic("/health"));
    /** @type {Setup | {skipped: string} | {error: string}} */
    let setup = { skipped: "pass --token or set CALLRELAY_TOKEN (the admin token) to check them" };
    if (token) {
      try {
        setup = /** @type {Setup} */ (await api.get("/setup"));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const what = err.status === 401 ? "the admin API refused the token" : "GET /api/v1/setup failed";
        setup = { error: `${what}: ${err.message}` };
      }
    }
    const findings = diagnose(health, setup, { adminToken: token, now: Date.now() });
    const failed = findings.filter((f) => f.level === "fail").length;
    out.show({ relay: api.base, ok: failed === 0, findings }, () => {
      const lines = findings.map((f) => `  ${MARK[f.level]} ${f.check.padEnd(10)} ${f.message}\n`);
      const verdict = failed === 0 ? "Nothing to fix." : `${failed} thing(s) to fix (✗ above).`;
      return `callrelay doctor: ${api.base}\n${lines.join("")}${verdict}\n`;
    });
    return failed === 0 ? 0 : 1;
  },
};
