// @ts-check
// `npm run deploy`: everything a deployment needs, in order, each step finding what exists before creating
// anything, so running it again changes nothing and a run that stopped resumes where it stopped.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, stripVTControlCharacters } from "node:util";
import { basinSqlEndpoint, DEFAULT_BASE } from "../../cli/basin-sql.mjs";
import { isPlaceholderToken, randomToken, tokenProblem } from "../../src/lib/secret-token.js";
import { historyPlan } from "./history-plan.mjs";

/**
 * The D1 binding: wrangler's d1 commands take it for the database, so a database renamed in wrangler.toml (as the
 * Deploy to Cloudflare button lets people do) is still the one migrated.
 */
const DB_BINDING = "DB";
/** D1's location hints (`wrangler d1 create --location`). */
export const LOCATIONS = ["apac", "weur", "eeur", "enam", "wnam", "oc"];
/** The lifecycle rules that expire, after RAW_RETENTION_DAYS, raw push bodies and attempts in full (requests, answers). */
const LIFECYCLE_RULES = [
  { name: "expire-raw", prefix: "raw/" },
  { name: "expire-attempts", prefix: "attempts/" },
];
/** Where each deploy's Time Travel bookmark is appended, one JSON line a deploy. */
export const BOOKMARKS_FILE = ".wrangler/deploy/bookmarks.jsonl";
/**
 * The config `--history` deploys with: wrangler.toml plus the CALLS_STREAM binding, written beside it (so its
 * relative paths mean the same) for the one `wrangler deploy` and deleted after; ignored by git.
 */
export const HISTORY_CONFIG_FILE = "wrangler.history-deploy.json";
/** The step names `--history` adds: one a Basin resource, named after the plan's step ids. */
const HISTORY_STEP = "history-";
/** The step a deploy without `--history` runs instead: keeps the calls stream bound when one exists. */
const KEEP_STREAM_STEP = "history";

const USAGE = `Usage: npm run deploy -- [--location apac|weur|eeur|enam|wnam|oc] [--history | --no-history] [--dry-run] [--no-doctor]

Creates or finds the D1 database (location: --location, D1_LOCATION, default apac), the dead-letter queue, the
secrets ADMIN_TOKEN and PUSH_TOKEN (from the environment, or generated), records a D1 Time Travel bookmark,
applies the remote migrations, deploys the Worker (wrangler provisions its R2 bucket and queues), sets the R2
lifecycle rules from RAW_RETENTION_DAYS, then runs \`callrelay doctor\`. Running it again changes nothing.
Needs \`npx wrangler login\`, or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.

--history also finds or creates the Basin resources that keep every call in an Iceberg table (an R2 bucket, its
Basin Catalog, the calls stream, an Iceberg sink, the pipeline; a new sink needs CALLRELAY_CATALOG_TOKEN) and
deploys the Worker with the stream bound as CALLS_STREAM. A later deploy without it looks the stream up by name and
keeps it bound; --no-history skips that look-up and deploys the Worker without the binding.
`;

/** A step that failed: its message says why; `run` prints the step and how to resume. */
class StepError extends Error {}

/** @param {string} text */
const plain = (text) => stripVTControlCharacters(text);

/**
 * Wrangler's own error lines (after `✘ [ERROR]`) from its output, or its last lines when there are none.
 * @param {string} output
 */
export function wranglerError(output) {
  const lines = plain(output).split("\n");
  const start = lines.findIndex((line) => line.includes("[ERROR]"));
  const picked =
    start === -1
      ? lines.filter((line) => line.trim() !== "").slice(-5)
      : lines.slice(start, start + 12).filter((line) => line.trim() !== "" && !line.startsWith("🪵"));
  return picked
    .map((line) => line.replace(/^.*\[ERROR\]\s*/, "").trim())
    .join("\n  ")
    .trim();
}

/**
 * The names `npm run deploy` works with, read from the wrangler config.
 * @param {string} configPath
 */
export async function readDeployConfig(configPath) {
  const { experimental_readRawConfig } = await import("wrangler");
  /**
   * The parts of the raw config read here.
   * @type {{name?: string, vars?: Record<string, unknown>, secrets?: {required?: string[]},
   *   d1_databases?: {binding: string, database_name?: string}[], r2_buckets?: {binding: string, bucket_name?: string}[],
   *   queues?: {producers?: {queue: string}[], consumers?: {queue: string, dead_letter_queue?: string}[]}}}
   */
  const rawConfig = experimental_readRawConfig({ config: configPath }).rawConfig;
  const database = rawConfig.d1_databases?.find((db) => db.binding === DB_BINDING);
  const bucket = rawConfig.r2_buckets?.find((b) => b.binding === "ARCHIVE");
  if (!database?.database_name || !bucket?.bucket_name) {
    throw new StepError(`${configPath} needs the DB (d1_databases) and ARCHIVE (r2_buckets) bindings`);
  }
  const producers = (rawConfig.queues?.producers ?? []).map((p) => p.queue);
  const consumers = rawConfig.queues?.consumers ?? [];
  const deadLetter = [...new Set(consumers.flatMap((c) => (c.dead_letter_queue ? [c.dead_letter_queue] : [])))].filter(
    (q) => !producers.includes(q),
  );
  const vars = rawConfig.vars ?? {};
  return {
    name: rawConfig.name ?? "callrelay",
    database: database.database_name,
    bucket: bucket.bucket_name,
    /** Queues `wrangler deploy` provisions (producer bindings). */
    queues: [...new Set(producers)],
    /** Queues nothing provisions: the dead-letter queues. */
    deadLetter,
    secrets: rawConfig.secrets?.required ?? [],
    rawRetentionDays: Number(vars.RAW_RETENTION_DAYS ?? 30),
  };
}

/**
 * The plan: the steps in order, each with what it does. `history` "create" adds the Basin steps before the deploy;
 * "keep" (the default) looks the calls stream up and keeps it bound when it exists; "none" leaves it unbound.
 * @param {Awaited<ReturnType<typeof readDeployConfig>>} config
 * @param {string} location
 * @param {"create" | "keep" | "none"} [history]
 */
export function plan(config, location, history = "keep") {
  const basin = historyPlan();
  const stream = basin.steps.find((step) => step.id === "stream");
  /** @type {[string, string][]} */
  const historySteps =
    history === "create"
      ? basin.steps.map((step) => [
          `${HISTORY_STEP}${step.id}`,
          `find or create the ${step.title} (wrangler ${step.command.join(" ")})`,
        ])
      : history === "keep"
        ? [
            [
              KEEP_STREAM_STEP,
              `keep the calls stream bound as ${basin.binding.binding} when it exists (wrangler ${stream?.exists.join(" ")})`,
            ],
          ]
        : [];
  return [
    ["database", `find or create the D1 database "${config.database}" (location ${location})`],
    ["queues", `find or create the dead-letter queue(s) ${config.deadLetter.join(", ") || "(none)"}`],
    [
      "secrets",
      `find ${config.secrets.join(" and ")}; set each missing one from the environment or a new random token`,
    ],
    ["bookmark", `record D1 Time Travel's current bookmark in ${BOOKMARKS_FILE} (to roll back to)`],
    ["migrations", `apply the migrations D1 has not seen (wrangler d1 migrations apply ${DB_BINDING} --remote)`],
    ...historySteps,
    [
      "deploy",
      `wrangler deploy: provisions the R2 bucket "${config.bucket}" and the queues ${config.queues.join(", ")} when missing, uploads the Worker` +
        (history === "none"
          ? ""
          : `, with the stream bound as ${basin.binding.binding}${history === "keep" ? " if found" : ""} (through ${HISTORY_CONFIG_FILE}, deleted after)`),
    ],
    [
      "lifecycle",
      `R2 lifecycle rules ${LIFECYCLE_RULES.map((r) => `"${r.name}": delete ${r.prefix}*`).join(", ")} after ${config.rawRetentionDays} days`,
    ],
    ["doctor", "npx callrelay doctor against the deployed Worker"],
  ];
}

/**
 * Runs `npm run deploy` with `argv`; answers the exit code.
 * @param {string[]} argv
 * @param {{env: NodeJS.ProcessEnv, cwd: string, out: (text: string) => void, err: (text: string) => void}} io
 */
export async function runDeploy(argv, { env, cwd, out, err }) {
  /** @type {ReturnType<typeof parseArgs<{options: {location: {type: "string"}, history: {type: "boolean"}, "no-history": {type: "boolean"}, "dry-run": {type: "boolean"}, "no-doctor": {type: "boolean"}, help: {type: "boolean"}}}>>["values"]} */
  let options;
  try {
    options = parseArgs({
      args: argv,
      options: {
        location: { type: "string" },
        history: { type: "boolean" },
        "no-history": { type: "boolean" },
        "dry-run": { type: "boolean" },
        "no-doctor": { type: "boolean" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    err(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    out(USAGE);
    return 0;
  }
  const location = options.location ?? env.D1_LOCATION ?? "apac";
  if (!LOCATIONS.includes(location)) {
    err(`--location (or D1_LOCATION) must be one of ${LOCATIONS.join(", ")}, not "${location}"\n`);
    return 2;
  }
  for (const name of ["ADMIN_TOKEN", "PUSH_TOKEN"]) {
    if (isPlaceholderToken(env[name])) {
      err(`${tokenProblem(name, env[name])} (from the environment); nothing was changed.\n`);
      return 2;
    }
  }
  /** @type {Awaited<ReturnType<typeof readDeployConfig>>} */
  let config;
  try {
    config = await readDeployConfig(join(cwd, "wrangler.toml"));
  } catch (e) {
    err(`could not read wrangler.toml: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (options.history && options["no-history"]) {
    err(`--history and --no-history contradict each other: pass one\n\n${USAGE}`);
    return 2;
  }
  const history = options.history === true;
  const steps = plan(config, location, history ? "create" : options["no-history"] ? "none" : "keep");
  const again = history
    ? "npm run deploy -- --history"
    : options["no-history"]
      ? "npm run deploy -- --no-history"
      : "npm run deploy";
  if (options["dry-run"]) {
    out(`npm run deploy would, changing nothing now:\n`);
    for (const [i, [name, what]] of steps.entries()) out(`  ${i + 1}. ${name}: ${what}\n`);
    return 0;
  }

  /**
   * Runs wrangler with `args`; answers its exit code and output (stdout then stderr).
   * @param {string[]} args
   * @param {{echo?: boolean}} [options]
   * @returns {Promise<{code: number, output: string}>}
   */
  const wrangler = (args, { echo = false } = {}) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [join(cwd, "node_modules/wrangler/bin/wrangler.js"), ...args], {
        cwd,
        env: { ...env, CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      for (const stream of [child.stdout, child.stderr]) {
        stream.on("data", (chunk) => {
          output += chunk;
          if (echo) out(plain(String(chunk)));
        });
      }
      child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
  /**
   * Runs wrangler and throws a StepError saying `what` failed, with wrangler's error, when it does.
   * @param {string} what
   * @param {string[]} args
   * @param {{echo?: boolean}} [options]
   */
  const must = async (what, args, options) => {
    const result = await wrangler(args, options);
    if (result.code !== 0) throw new StepError(`${what}: ${wranglerError(result.output)}`);
    return result.output;
  };

  /** @type {Record<string, string>} */
  const generated = {};
  /** @type {Record<string, string>} */
  const toSet = {};
  let workerUrl = "";
  const secretsDir = mkdtempSync(join(tmpdir(), "callrelay-deploy-"));
  const secretsFile = join(secretsDir, "secrets.json");
  const basin = historyPlan({ catalogToken: env.CALLRELAY_CATALOG_TOKEN || undefined });
  /** What the history steps found: the stream's id (for the binding) and the warehouse (for the summary). */
  const found = { streamId: "", warehouse: "" };
  /**
   * The stream's id from `basin pipelines streams get <name> --json`'s output.
   * @param {string} output
   * @param {string} name
   */
  const streamIdFrom = (output, name) => {
    const id = JSON.parse(output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1)).id;
    if (!id) throw new StepError(`wrangler answered no id for the stream "${name}": ${wranglerError(output)}`);
    return String(id);
  };
  const streamStep = basin.steps.find((step) => step.id === "stream");

  /** @type {Record<string, () => Promise<string>>} */
  const actions = {
    async database() {
      const list = await must("could not list the D1 databases", ["d1", "list", "--json"]);
      const databases = JSON.parse(list.slice(list.indexOf("["), list.lastIndexOf("]") + 1));
      if (databases.some((/** @type {{name: string}} */ db) => db.name === config.database)) {
        return `found "${config.database}"`;
      }
      await must(`could not create the D1 database "${config.database}"`, [
        "d1",
        "create",
        config.database,
        "--location",
        location,
      ]);
      return `created "${config.database}" in ${location}`;
    },
    async queues() {
      const done = [];
      for (const queue of config.deadLetter) {
        const info = await wrangler(["queues", "info", queue]);
        if (info.code === 0) {
          done.push(`found ${queue}`);
          continue;
        }
        await must(`could not create the queue "${queue}"`, ["queues", "create", queue]);
        done.push(`created ${queue}`);
      }
      return done.join(", ") || "none to create";
    },
    async secrets() {
      const list = await wrangler(["secret", "list", "--format", "json"]);
      /** @type {string[]} */
      let present = [];
      if (list.code === 0) {
        const start = list.output.indexOf("[");
        present = JSON.parse(list.output.slice(start, list.output.lastIndexOf("]") + 1)).map(
          (/** @type {{name: string}} */ s) => s.name,
        );
      } else if (!/Worker "[^"]*" not found|does not exist|10007/i.test(plain(list.output))) {
        throw new StepError(`could not list the Worker's secrets: ${wranglerError(list.output)}`);
      }
      const missing = config.secrets.filter((name) => !present.includes(name));
      for (const name of missing) {
        const given = env[name];
        if (given) {
          const problem = tokenProblem(name, given);
          if (problem) err(`warning: ${problem}\n`);
          toSet[name] = given;
        } else {
          toSet[name] = generated[name] = randomToken();
        }
      }
      const kept = config.secrets.filter((name) => present.includes(name));
      return [
        ...kept.map((name) => `${name} already set: kept`),
        ...missing.map(
          (name) => `${name} ${generated[name] ? "generated" : "from the environment"}: set with the deploy`,
        ),
      ].join("; ");
    },
    async bookmark() {
      const output = await must("could not read the Time Travel bookmark", [
        "d1",
        "time-travel",
        "info",
        DB_BINDING,
        "--json",
      ]);
      const bookmark = /"bookmark"\s*:\s*"([^"]+)"/.exec(output)?.[1];
      if (!bookmark) throw new StepError(`wrangler answered no bookmark: ${wranglerError(output)}`);
      mkdirSync(join(cwd, ".wrangler/deploy"), { recursive: true });
      appendFileSync(
        join(cwd, BOOKMARKS_FILE),
        `${JSON.stringify({ at: new Date().toISOString(), database: config.database, bookmark })}\n`,
      );
      return `${bookmark} (to roll back D1: npx wrangler d1 time-travel restore ${DB_BINDING} --bookmark ${bookmark})`;
    },
    async migrations() {
      const output = await must("the remote migrations failed", ["d1", "migrations", "apply", DB_BINDING, "--remote"]);
      const applied = new Set(plain(output).match(/\d{4}_[\w-]+\.sql(?=[^\n]*✅)/g));
      return output.includes("No migrations to apply") ? "none to apply" : `${applied.size} applied`;
    },
    async [KEEP_STREAM_STEP]() {
      // A deploy without --history must not drop a binding an earlier --history deploy made: the stream is found
      // by name (the id is the account's, never committed), and stays bound when it exists.
      const name = streamStep?.exists.filter((word) => !word.startsWith("--")).at(-1) ?? "";
      const read = await wrangler(streamStep?.exists ?? []);
      if (read.code === 0) {
        found.streamId = streamIdFrom(read.output, name);
        return `found the calls stream "${name}" (id ${found.streamId}): ${basin.binding.binding} stays bound`;
      }
      if (plain(read.output).includes(`Stream "${name}" not found`)) {
        return `no calls stream "${name}": deployed without ${basin.binding.binding} (npm run deploy -- --history sets one up)`;
      }
      throw new StepError(
        `could not look up the calls stream "${name}", so could not tell whether to keep ${basin.binding.binding} bound: ` +
          `${wranglerError(read.output)}\n  (the token needs Pipelines read access; or pass --no-history to deploy without the binding)`,
      );
    },
    async deploy() {
      const args = ["deploy"];
      if (found.streamId) {
        // wrangler binds a stream only from its config (no flag does), and the stream's id is the account's:
        // so it goes into a config generated beside wrangler.toml for this one deploy, never into a committed file.
        const { experimental_readRawConfig } = await import("wrangler");
        const raw = experimental_readRawConfig({ config: join(cwd, "wrangler.toml") }).rawConfig;
        const { binding } = basin.binding;
        const pipelines = [
          ...(raw.pipelines ?? []).filter((/** @type {{binding: string}} */ p) => p.binding !== binding),
          { binding, stream: found.streamId },
        ];
        writeFileSync(join(cwd, HISTORY_CONFIG_FILE), `${JSON.stringify({ ...raw, pipelines }, null, 2)}\n`);
        args.push("--config", HISTORY_CONFIG_FILE);
      }
      if (Object.keys(toSet).length > 0) {
        writeFileSync(secretsFile, JSON.stringify(toSet), { mode: 0o600 });
        args.push("--secrets-file", secretsFile);
      }
      const output = await must("wrangler deploy failed", args, { echo: true });
      workerUrl = /https:\/\/[^\s]+\.workers\.dev/.exec(plain(output))?.[0] ?? "";
      showGenerated(generated, workerUrl || `https://${config.name}.<your-subdomain>.workers.dev`, err);
      return workerUrl ? `deployed to ${workerUrl}` : "deployed";
    },
    async lifecycle() {
      const days = config.rawRetentionDays;
      const list = await must("could not read the R2 lifecycle rules", [
        "r2",
        "bucket",
        "lifecycle",
        "list",
        config.bucket,
      ]);
      const done = [];
      for (const { name, prefix } of LIFECYCLE_RULES) {
        const current = new RegExp(`${name}[\\s\\S]*?after (\\d+) days`).exec(plain(list));
        if (current && Number(current[1]) === days) {
          done.push(`"${name}" already expires ${prefix} after ${days} days`);
          continue;
        }
        if (current) {
          await must(`could not replace the lifecycle rule "${name}"`, [
            "r2",
            "bucket",
            "lifecycle",
            "remove",
            config.bucket,
            "--name",
            name,
          ]);
        }
        await must(`could not add the lifecycle rule "${name}"`, [
          "r2",
          "bucket",
          "lifecycle",
          "add",
          config.bucket,
          name,
          prefix,
          "--expire-days",
          String(days),
          "--force",
        ]);
        done.push(`"${name}" ${current ? "changed to" : "added:"} expire ${prefix} after ${days} days`);
      }
      return done.join("; ");
    },
    async doctor() {
      if (options["no-doctor"]) return "skipped (--no-doctor)";
      if (!workerUrl) return "skipped: the Worker's URL was not found in wrangler's output";
      const token = generated.ADMIN_TOKEN ?? env.ADMIN_TOKEN ?? env.CALLRELAY_TOKEN;
      const { run } = await import("../../cli/run.mjs");
      const code = await run(["doctor", "--relay", workerUrl, ...(token ? ["--token", token] : [])], {
        fetch,
        env: {},
        stdout: { write: out },
        stderr: { write: err },
      });
      return code === 0 ? "all checks passed" : "see what to fix above (the deploy itself is done)";
    },
  };

  for (const step of history ? basin.steps : []) {
    const name = step.exists.filter((word) => !word.startsWith("--")).at(-1);
    actions[`${HISTORY_STEP}${step.id}`] = async () => {
      const read = await wrangler(step.exists);
      let output = read.output;
      const exists = read.code === 0 && (!step.found || plain(output).includes(step.found));
      if (!exists) {
        if (step.id === "sink" && !env.CALLRELAY_CATALOG_TOKEN) {
          throw new StepError(
            `the sink "${name}" needs CALLRELAY_CATALOG_TOKEN in the environment: an API token with Basin Catalog and R2 write access (the sink writes the table with it)`,
          );
        }
        output = await must(`could not create the ${step.title} "${name}"`, step.command);
      }
      if (step.id === "catalog") found.warehouse = /Warehouse:\s*'?([^\s']+)/.exec(plain(output))?.[1] ?? "";
      if (step.id === "stream") {
        const got = exists ? output : await must(`could not read the stream "${name}"`, step.exists);
        found.streamId = streamIdFrom(got, name ?? "");
        return `${exists ? "found" : "created"} "${name}" (id ${found.streamId})`;
      }
      return `${exists ? "found" : "created"} "${name}"`;
    };
  }

  try {
    for (const [i, [name = ""]] of steps.entries()) {
      out(`[${i + 1}/${steps.length}] ${name}… `);
      try {
        out(`${await actions[name]?.()}\n`);
      } catch (e) {
        out("failed\n");
        const why = e instanceof StepError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
        err(
          `\nnpm run deploy stopped at step ${i + 1}/${steps.length} "${name}".\n` +
            `  why: ${why}\n` +
            `  resume: fix the cause, then run \`${again}\` again: each step finds what the earlier runs made,\n` +
            `  so it goes on from "${name}" without creating anything twice.\n`,
        );
        return 1;
      }
    }
  } finally {
    rmSync(secretsDir, { recursive: true, force: true });
    rmSync(join(cwd, HISTORY_CONFIG_FILE), { force: true });
  }
  summary(config, workerUrl, out);
  if (history) historySummary(basin, found.warehouse, out);
  return 0;
}

/**
 * The tokens this run generated, shown this once (right after the deploy that set them, so a later step's
 * failure cannot hide them), with the push URL they make.
 * @param {Record<string, string>} generated
 * @param {string} base
 * @param {(text: string) => void} err
 */
function showGenerated(generated, base, err) {
  const names = Object.keys(generated);
  if (names.length === 0) return;
  const lines = names.map((name) => `  ${name}=${generated[name]}`);
  if (generated.PUSH_TOKEN) lines.push(`  push URL: ${base}/push/${generated.PUSH_TOKEN}`);
  err(`
warning: generated ${names.join(" and ")}, shown only this once:
${lines.join("\n")}
Keep them in a password manager now: Cloudflare never shows a secret again (to replace one: npx wrangler secret put <NAME>).

`);
}

/**
 * What to do next: the push URL and the console.
 * @param {{name: string}} config
 * @param {string} url
 * @param {(text: string) => void} out
 */
function summary(config, url, out) {
  const base = url || `https://${config.name}.<your-subdomain>.workers.dev`;
  out(`\ncallrelay is deployed.
  push URL:  ${base}/push/<PUSH_TOKEN>   ← paste it into the voice platform's console
  console:   ${base}/   (sign in with ADMIN_TOKEN, or put Cloudflare Access in front: see the README)
  CLI:       export CALLRELAY_URL=${base} CALLRELAY_TOKEN=<ADMIN_TOKEN>
Next: add a destination (npx callrelay destinations add --help); set PUBLIC_URL in wrangler.toml when you use a
custom domain or recording links; run \`npx callrelay doctor\` any time.
`);
}

/**
 * How to query history once the stream is bound.
 * @param {ReturnType<typeof historyPlan>} basin
 * @param {string} warehouse `<account-id>_<bucket>`, as `basin catalog get` printed it
 * @param {(text: string) => void} out
 */
function historySummary(basin, warehouse, out) {
  const split = warehouse.indexOf("_");
  const accountId = split > 0 ? warehouse.slice(0, split) : "<account-id>";
  out(`
History: every call the Worker stores also goes to the Basin stream, and reaches the Iceberg table ${basin.table}
within the sink's roll interval. Query it:
  export CALLRELAY_WAREHOUSE=${warehouse || `<account-id>_${basin.bucket}`} WRANGLER_BASIN_SQL_AUTH_TOKEN=<API token with Basin SQL, Basin Catalog and R2 read access>
  ${basin.afterDeploy.join("\n  ")}
Basin SQL endpoint: POST ${basinSqlEndpoint({ base: DEFAULT_BASE, accountId, bucket: basin.bucket })}
A later \`npm run deploy\` (without --history) finds the stream by name and keeps it bound as CALLS_STREAM.
`);
}
