// @ts-check
import { closestName } from "../src/lib/closest-name.js";

/**
 * @typedef {object} OptionSpec
 * @property {"string" | "integer" | "number" | "boolean" | "json" | "list" | "csv"} type `list`: a string that may be
 *   given more than once; `csv`: comma-separated values, each one of `choices` when given
 * @property {string} description
 * @property {string} [value] The value's name in help, e.g. `N`
 * @property {boolean} [required]
 * @property {readonly string[]} [choices] The values a `string` option (or each of a `csv` one) accepts
 */

/**
 * @typedef {object} CommandSpec
 * @property {string} summary One line, in the parent's help
 * @property {string} [description] More, in its own help
 * @property {string[]} [args] Positional arguments, each required, e.g. `["id"]`
 * @property {Record<string, OptionSpec>} [options] On the root: the global options
 * @property {Record<string, CommandSpec>} [commands] Subcommands, by name; with `args` too, a word that names no
 *   subcommand is the command's own argument (`history "<SQL>"` beside `history backfill`); a command with `run` as
 *   well also runs by itself
 * @property {false} [relay] The command does not talk to the relay: no URL or admin token needed
 */

/** A mistake in the command line: reported with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
}

/** Option values of a parsed command line, read by type. */
export class Flags {
  /** @type {Map<string, string[]>} */
  #values;

  /** @param {Map<string, string[]>} values */
  constructor(values) {
    this.#values = values;
  }

  /** @param {string} name */
  string(name) {
    return this.#values.get(name)?.at(-1);
  }

  /** @param {string} name */
  integer(name) {
    const value = this.string(name);
    return value === undefined ? undefined : Number(value);
  }

  /** @param {string} name */
  number(name) {
    const value = this.string(name);
    return value === undefined ? undefined : Number(value);
  }

  /** @param {string} name */
  boolean(name) {
    return this.#values.has(name);
  }

  /**
   * The value of a `json` option, parsed.
   * @param {string} name
   * @returns {unknown}
   */
  json(name) {
    const value = this.string(name);
    return value === undefined ? undefined : JSON.parse(value);
  }

  /**
   * The values of a `csv` option; undefined when it is not given.
   * @param {string} name
   */
  csv(name) {
    return this.string(name)
      ?.split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
  }

  /** @param {string} name */
  list(name) {
    return this.#values.get(name) ?? [];
  }
}

/**
 * @template {CommandSpec} C
 * @typedef {object} ParsedArgv
 * @property {string[]} path The command words, e.g. `["sources", "add"]`
 * @property {C} command The command they name (the root when none)
 * @property {boolean} help Whether `--help` or `-h` was given
 * @property {string | undefined} error The first usage error, if any
 * @property {string[]} args Positional arguments
 * @property {Flags} flags The command's own options
 * @property {Flags} globals The root's options
 */

/**
 * @param {Record<string, OptionSpec> | undefined} options
 * @param {string} name
 */
function optionOf(options, name) {
  return options && Object.hasOwn(options, name) ? options[name] : undefined;
}

/**
 * ` (did you mean X?)` when `name` looks like a typo of one of `candidates`, else "".
 * @param {string} name
 * @param {readonly string[]} candidates
 * @param {string} [prefix]
 */
export function didYouMean(name, candidates, prefix = "") {
  const closest = closestName(name, candidates);
  return closest === undefined ? "" : ` (did you mean ${prefix}${closest}?)`;
}

/**
 * Why `value` does not suit an option of `spec`; undefined when it does.
 * @param {OptionSpec} spec
 * @param {string} value
 * @returns {string | undefined}
 */
function invalid({ type, choices }, value) {
  const values =
    type === "csv"
      ? value
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== "")
      : [value];
  if (values.length === 0) return "needs at least one value";
  const wrong = choices && values.find((v) => !choices.includes(v));
  if (choices && wrong !== undefined) {
    return `must be one of ${choices.join(", ")}, not "${wrong}"${didYouMean(wrong, choices)}`;
  }
  if (type === "integer") return /^-?\d{1,15}$/.test(value) ? undefined : `needs an integer, not "${value}"`;
  if (type === "number") return /^-?(\d+\.?\d*|\.\d+)$/.test(value) ? undefined : `needs a number, not "${value}"`;
  if (type !== "json") return undefined;
  try {
    JSON.parse(value);
    return undefined;
  } catch (err) {
    return `is not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** @param {Record<string, CommandSpec>} commands */
const oneOf = (commands) => `one of ${Object.keys(commands).join(", ")}`;

/**
 * @param {CommandSpec} command
 * @param {string[]} args
 * @param {Map<string, string[]>} values
 */
function missing(command, args, values) {
  if (command.commands && !("run" in command) && (!command.args || args.length === 0))
    return `missing command: ${oneOf(command.commands)}`;
  const expected = command.args ?? [];
  if (args.length < expected.length) return `missing <${expected[args.length]}>`;
  if (args.length > expected.length) return `unexpected argument "${args[expected.length]}"`;
  const required = Object.entries(command.options ?? {}).find(([name, spec]) => spec.required && !values.has(name));
  return required && `missing --${required[0]}`;
}

/**
 * Reads a command line against a command tree. Words name subcommands until a leaf; options are looked up in
 * the current command's own, then the root's (global) ones, so a global option given before a command whose
 * option has the same name stays global. `--name value` and `--name=value`; `--` ends options. Never throws:
 * a mistake is returned as `error`.
 *
 * @template {CommandSpec} C
 * @param {readonly string[]} argv
 * @param {C} root
 * @returns {ParsedArgv<C>}
 */
export function parseArgv(argv, root) {
  let command = root;
  /** @type {string[]} */
  const path = [];
  /** @type {string[]} */
  const args = [];
  /** @type {Map<string, string[]>} */
  const own = new Map();
  /** @type {Map<string, string[]>} */
  const globals = new Map();
  let help = false;
  /** @type {string | undefined} */
  let error;

  for (let i = 0; i < argv.length; i++) {
    const token = /** @type {string} */ (argv[i]);
    if (token === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (token === "--help" || token === "-h") {
      help = true;
    } else if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      const local = command === root ? undefined : optionOf(command.options, name);
      const spec = local ?? optionOf(root.options, name);
      const values = local ? own : globals;
      if (!spec) {
        const known = [
          ...Object.keys(command === root ? {} : (command.options ?? {})),
          ...Object.keys(root.options ?? {}),
        ];
        error ??= `unknown option --${name}${didYouMean(name, known, "--")}`;
        continue;
      }
      if (spec.type === "boolean") {
        if (eq === -1) values.set(name, ["true"]);
        else error ??= `--${name} takes no value`;
        continue;
      }
      const next = argv[i + 1];
      /** @type {string | undefined} */
      let value = eq === -1 ? undefined : token.slice(eq + 1);
      if (value === undefined && next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      }
      if (value === undefined) {
        error ??= `--${name} needs a value`;
        continue;
      }
      const problem = invalid(spec, value);
      if (problem) error ??= `--${name} ${problem}`;
      else values.set(name, spec.type === "list" ? [...(values.get(name) ?? []), value] : [value]);
    } else if (token.startsWith("-") && token !== "-") {
      error ??= `unknown option ${token}`;
    } else if (command.commands && (args.length === 0 || !command.args)) {
      if (Object.hasOwn(command.commands, token)) {
        command = /** @type {C} */ (command.commands[token]);
        path.push(token);
      } else if (command.args) {
        args.push(token);
      } else {
        const hint = didYouMean(token, Object.keys(command.commands));
        error ??= `unknown command "${token}"${hint}: ${oneOf(command.commands)}`;
      }
    } else {
      args.push(token);
    }
  }
  return {
    path,
    command,
    help,
    error: error ?? missing(command, args, own),
    args,
    flags: new Flags(own),
    globals: new Flags(globals),
  };
}
