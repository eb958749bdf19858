// @ts-check
import { parseArgv, UsageError } from "./args.mjs";
import { calls } from "./commands/calls.mjs";
import { deliveries } from "./commands/deliveries.mjs";
import { destinations } from "./commands/destinations.mjs";
import { replay } from "./commands/replay.mjs";
import { sources } from "./commands/sources.mjs";
import { stats } from "./commands/stats.mjs";
import { helpText } from "./help.mjs";
import { ApiError, createApi, NetworkError, relayBase } from "./http.mjs";
import { createOutput } from "./output.mjs";
import { cell } from "./table.mjs";

/**
 * What a command's `run` gets.
 * @typedef {object} Context
 * @property {string[]} args Its positional arguments, as many as it declares
 * @property {import("./args.mjs").Flags} flags Its own options
 * @property {import("./http.mjs").Api} api
 * @property {import("./output.mjs").Output} out
 */

/**
 * A node of the command tree; a leaf has `run`, which answers the exit code (0 when it answers nothing).
 * @typedef {import("./args.mjs").CommandSpec & {
 *   run?: (context: Context) => Promise<number | void>,
 *   commands?: Record<string, Command>,
 * }} Command
 */

/**
 * What `run` may touch: the only way the CLI reaches the outside.
 * @typedef {object} Io
 * @property {import("./http.mjs").Fetch} fetch
 * @property {Record<string, string | undefined>} env
 * @property {import("./output.mjs").Stream} stdout
 * @property {import("./output.mjs").Stream} stderr
 */

/** @type {Command} */
const root = {
  summary: "Operate a callrelay Worker through its admin API.",
  options: {
    url: { type: "string", value: "URL", description: "The relay's base URL (or set CALLRELAY_URL)" },
    token: { type: "string", value: "TOKEN", description: "The relay's ADMIN_TOKEN (or set CALLRELAY_TOKEN)" },
    json: { type: "boolean", description: "Print the API's JSON instead of tables" },
  },
  commands: { sources, destinations, calls, deliveries, replay, stats },
};

/**
 * @param {unknown} details
 * @returns {string[]}
 */
function detailLines(details) {
  if (details === undefined) return [];
  return (Array.isArray(details) ? details : [details]).map((detail) =>
    detail && typeof detail === "object" && "path" in detail && "message" in detail
      ? `  ${cell(detail.path) || "body"}: ${cell(detail.message)}`
      : `  ${JSON.stringify(detail)}`,
  );
}

/**
 * @param {unknown} err
 * @param {string[]} path
 * @returns {[code: number, lines: string[]]}
 */
function failure(err, path) {
  if (err instanceof UsageError) {
    return [2, [`error: ${err.message}`, `Run "${["callrelay", ...path, "--help"].join(" ")}" for usage.`]];
  }
  if (err instanceof ApiError) {
    const hint =
      err.status === 401 ? ["  (the admin token is --token or CALLRELAY_TOKEN: the relay's ADMIN_TOKEN)"] : [];
    return [1, [`error: ${cell(err.message)}`, ...detailLines(err.details), ...hint]];
  }
  if (err instanceof NetworkError) return [1, [`error: ${cell(err.message)}`]];
  return [1, [`error: ${err instanceof Error ? err.message : String(err)}`]];
}

/**
 * Runs one command line, e.g. `["calls", "list", "--connected"]`, against the relay at `--url` or
 * `CALLRELAY_URL`. Prints its result to `io.stdout`, errors to `io.stderr`, and answers the exit code:
 * 0 on success, 1 when the API or the network fails, 2 for a mistake in the command line.
 * @param {readonly string[]} argv
 * @param {Io} io
 * @returns {Promise<number>}
 */
export async function run(argv, io) {
  const parsed = parseArgv(argv, root);
  if (parsed.help || argv.length === 0) {
    io.stdout.write(helpText(root, parsed.path, parsed.command));
    return 0;
  }
  try {
    const handler = parsed.command.run;
    if (parsed.error !== undefined || handler === undefined) throw new UsageError(parsed.error ?? "missing command");
    const url = parsed.globals.string("url") || io.env.CALLRELAY_URL;
    const token = parsed.globals.string("token") || io.env.CALLRELAY_TOKEN;
    if (!url) throw new UsageError("no relay URL: pass --url or set CALLRELAY_URL");
    if (!token) throw new UsageError("no admin token: pass --token or set CALLRELAY_TOKEN");
    const api = createApi(io.fetch, relayBase(url), token);
    const out = createOutput(parsed.globals.boolean("json"), io.stdout, io.stderr);
    return (await handler({ args: parsed.args, flags: parsed.flags, api, out })) ?? 0;
  } catch (err) {
    const [code, lines] = failure(err, parsed.path);
    io.stderr.write(lines.map((line) => `${line}\n`).join(""));
    return code;
  }
}
