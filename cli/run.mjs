// @ts-check
import { parseArgv, UsageError } from "./args.mjs";
import { calls } from "./commands/calls.mjs";
import { deliveries } from "./commands/deliveries.mjs";
import { destinations } from "./commands/destinations.mjs";
import { doctor } from "./commands/doctor.mjs";
import { history } from "./commands/history.mjs";
import { pushes } from "./commands/pushes.mjs";
import { replay } from "./commands/replay.mjs";
import { sources } from "./commands/sources.mjs";
import { stats } from "./commands/stats.mjs";
import { helpText } from "./help.mjs";
import { ApiError, createApi, NetworkError, NotCallrelayError, relayBase } from "./http.mjs";
import { UnknownIdError } from "./list.mjs";
import { createOutput } from "./output.mjs";
import { cell } from "./table.mjs";

/**
 * What a command's `run` gets.
 * @typedef {object} Context
 * @property {string[]} args Its positional arguments, as many as it declares
 * @property {import("./args.mjs").Flags} flags Its own options
 * @property {import("./http.mjs").Api} api
 * @property {import("./output.mjs").Output} out
 * @property {(what: string) => Promise<void>} confirm Asks before a destructive step (unless `--yes`); throws
 *   when the answer is no or nobody can answer
 * @property {Record<string, string | undefined>} env The environment (services other than the relay read theirs)
 * @property {import("./http.mjs").Fetch} fetch
 * @property {string} token The admin token given ("" when none: only for a command with `tokenOptional`)
 */

/**
 * A node of the command tree; a leaf has `run`, which answers the exit code (0 when it answers nothing).
 * @typedef {import("./args.mjs").CommandSpec & {
 *   run?: (context: Context) => Promise<number | void>,
 *   tokenOptional?: boolean,
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
 * @property {(question: string) => Promise<boolean>} [ask] A yes/no question to the person at the
 *   terminal; undefined when there is none
 */

/** The person answered no to a confirmation. */
class Cancelled extends Error {}

/** The deployment's default zone, as for chat messages. */
const DEFAULT_TIMEZONE = "Asia/Shanghai";

/** @param {string} zone */
function checkTimeZone(zone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    throw new UsageError(`--timezone: unknown IANA time zone "${zone}" (e.g. Asia/Shanghai, Europe/Berlin, UTC)`);
  }
  return zone;
}

/** @type {Command} */
const root = {
  summary: "Operate a callrelay Worker through its admin API.",
  options: {
    relay: { type: "string", value: "URL", description: "The relay's base URL (or set CALLRELAY_URL)" },
    token: { type: "string", value: "TOKEN", description: "The relay's ADMIN_TOKEN (or set CALLRELAY_TOKEN)" },
    timezone: {
      type: "string",
      value: "TZ",
      description: `IANA time zone of times shown (or set CALLRELAY_TIMEZONE; default ${DEFAULT_TIMEZONE})`,
    },
    json: { type: "boolean", description: "Print the API's JSON instead of tables" },
    yes: { type: "boolean", description: "Do destructive or mass steps (delete, rotate, retry) without asking" },
  },
  commands: { sources, destinations, calls, deliveries, pushes, replay, stats, history, doctor },
};

/**
 * The details not already said by the message (the API's message repeats the first field problem).
 * @param {string} message
 * @param {unknown} details
 * @returns {string[]}
 */
function detailLines(message, details) {
  if (details === undefined) return [];
  const list = Array.isArray(details) ? details : [details];
  const first = list[0];
  const said =
    first && typeof first === "object" && "message" in first && message.endsWith(String(first.message)) ? 1 : 0;
  return list
    .slice(said)
    .map((detail) =>
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
  if (err instanceof Cancelled) return [1, ["Cancelled: nothing was changed."]];
  if (err instanceof UsageError) {
    return [2, [`error: ${err.message}`, `Run "${["callrelay", ...path, "--help"].join(" ")}" for usage.`]];
  }
  if (err instanceof ApiError) {
    const hint =
      err.status === 401 ? ["  (the admin token is --token or CALLRELAY_TOKEN: the relay's ADMIN_TOKEN)"] : [];
    return [1, [`error: ${cell(err.message)}`, ...detailLines(err.message, err.details), ...hint]];
  }
  if (err instanceof NetworkError || err instanceof NotCallrelayError || err instanceof UnknownIdError)
    return [1, [`error: ${cell(err.message)}`]];
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
    const { globals } = parsed;
    const url = globals.string("relay") || io.env.CALLRELAY_URL;
    const token = globals.string("token") || io.env.CALLRELAY_TOKEN;
    const relay = parsed.command.relay !== false;
    if (relay && !url) throw new UsageError("no relay URL: pass --relay or set CALLRELAY_URL");
    if (relay && !token && !parsed.command.tokenOptional) {
      throw new UsageError("no admin token: pass --token or set CALLRELAY_TOKEN");
    }
    const timeZone = checkTimeZone(globals.string("timezone") || io.env.CALLRELAY_TIMEZONE || DEFAULT_TIMEZONE);
    const api = createApi(io.fetch, url ? relayBase(url) : "", token ?? "");
    const out = createOutput(globals.boolean("json"), io.stdout, io.stderr, timeZone);
    /** @param {string} what */
    const confirm = async (what) => {
      if (globals.boolean("yes")) return;
      if (!io.ask) throw new UsageError(`${what}: pass --yes to confirm (no terminal to ask)`);
      if (!(await io.ask(`${what}. Continue? [y/N] `))) throw new Cancelled();
    };
    const context = {
      args: parsed.args,
      flags: parsed.flags,
      api,
      out,
      confirm,
      token: token ?? "",
      env: io.env,
      fetch: io.fetch,
    };
    return (await handler(context)) ?? 0;
  } catch (err) {
    const [code, lines] = failure(err, parsed.path);
    io.stderr.write(lines.map((line) => `${line}\n`).join(""));
    return code;
  }
}
