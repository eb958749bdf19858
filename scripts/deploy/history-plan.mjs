// @ts-check
// The Basin resources `npm run deploy -- --history` creates, as data: the deploy script runs each step's command
// (skipping what exists), then binds CALLS_STREAM. Also what `doctor` says about /health's `history` key.
// Names and flags are wrangler 4.155's `basin` commands (README, "History: every call in Basin").

/**
 * @typedef {object} HistoryPlanOptions
 * @property {string} [bucket] R2 bucket holding the Iceberg warehouse
 * @property {string} [stream] Stream name (also the pipeline SQL's source table)
 * @property {string} [sink] Sink name (the pipeline SQL's target table)
 * @property {string} [pipeline] Pipeline name
 * @property {string} [namespace] Iceberg namespace
 * @property {string} [table] Iceberg table
 * @property {string} [catalogToken] API token with Basin Catalog and R2 write access, for the sink
 * @property {number} [rollSeconds] How often the sink writes a Parquet file
 */

/**
 * @typedef {object} HistoryStep
 * @property {string} id
 * @property {string} title
 * @property {string[]} command wrangler's arguments (run as `npx wrangler …`)
 * @property {string[]} exists wrangler's arguments of a read that succeeds when the step is already done
 * @property {string} [found] text the read prints when the step is done (for a read that succeeds either way)
 * @property {string} note
 */

/** @param {HistoryPlanOptions} [options] */
export function historyPlan(options = {}) {
  const {
    bucket = "callrelay-history",
    stream = "callrelay_calls",
    sink = "callrelay_calls_sink",
    pipeline = "callrelay_calls_pipeline",
    namespace = "callrelay",
    table = "calls",
    catalogToken = "$CALLRELAY_CATALOG_TOKEN",
    rollSeconds = 300,
  } = options;
  /** @type {HistoryStep[]} */
  const steps = [
    {
      id: "bucket",
      title: "R2 bucket for the Iceberg warehouse",
      command: ["r2", "bucket", "create", bucket],
      exists: ["r2", "bucket", "info", bucket],
      note: "its own bucket: the archive's lifecycle rule never touches it",
    },
    {
      id: "catalog",
      title: "Basin Catalog on the bucket",
      command: ["basin", "catalog", "enable", bucket],
      exists: ["basin", "catalog", "get", bucket],
      found: "Warehouse:",
      note: "prints the warehouse name, <account-id>_<bucket>: set CALLRELAY_WAREHOUSE to it for `callrelay history`",
    },
    {
      id: "stream",
      title: "Stream with the calls schema",
      command: [
        "basin",
        "pipelines",
        "streams",
        "create",
        stream,
        "--schema-file",
        "basin/calls.schema.json",
        "--http-enabled=false",
      ],
      exists: ["basin", "pipelines", "streams", "get", stream, "--json"],
      note: "Worker binding only (no HTTP endpoint); its id goes into the CALLS_STREAM binding",
    },
    {
      id: "sink",
      title: "Iceberg sink",
      command: [
        "basin",
        "pipelines",
        "sinks",
        "create",
        sink,
        "--type",
        "r2-data-catalog",
        "--bucket",
        bucket,
        "--namespace",
        namespace,
        "--table",
        table,
        "--catalog-token",
        catalogToken,
        "--compression",
        "zstd",
        "--roll-interval",
        String(rollSeconds),
      ],
      exists: ["basin", "pipelines", "sinks", "get", sink],
      note:
        "creates the table, unpartitioned: an Iceberg sink takes no partition spec (wrangler's --partitioning and the " +
        "API's partitioning are for r2 sinks only; README, Partitioning), so queries bounding call_at prune through " +
        "the files' call_at statistics",
    },
    {
      id: "pipeline",
      title: "Pipeline from the stream into the sink",
      command: ["basin", "pipelines", "create", pipeline, "--sql", `INSERT INTO ${sink} SELECT * FROM ${stream}`],
      exists: ["basin", "pipelines", "get", pipeline],
      note: "rows reach the table within --roll-interval seconds",
    },
  ];
  return {
    steps,
    /** What to add to the Worker's config, with the stream id from `basin pipelines streams get`. */
    binding: { binding: "CALLS_STREAM", stream: "<stream id>" },
    bucket,
    table: `${namespace}.${table}`,
    afterDeploy: [
      "npx callrelay history backfill --since <first day to keep in history>",
      `npx callrelay history "SELECT count(*) FROM ${namespace}.${table}"`,
    ],
  };
}
