// @ts-check
import { displayWidth } from "./table.mjs";

/** @typedef {import("./args.mjs").CommandSpec} CommandSpec */
/** @typedef {import("./args.mjs").OptionSpec} OptionSpec */

/**
 * @param {string} name
 * @param {OptionSpec} spec
 */
const flag = (name, spec) => (spec.type === "boolean" ? `--${name}` : `--${name} ${spec.value ?? "VALUE"}`);

/**
 * @param {string[]} words
 * @param {CommandSpec} command
 */
function usage(words, command) {
  if (command.commands && !("run" in command)) return [...words, "<command>"].join(" ");
  const options = Object.entries(command.options ?? {});
  return [
    ...words,
    ...(command.args ?? []).map((arg) => `<${arg}>`),
    ...options.filter(([, spec]) => spec.required).map(([name, spec]) => flag(name, spec)),
    ...(options.some(([, spec]) => !spec.required) ? ["[options]"] : []),
  ].join(" ");
}

/**
 * Every leaf command under `command`, with its usage from there.
 * @param {string[]} words
 * @param {CommandSpec} command
 * @returns {[string, string][]}
 */
function leaves(words, command) {
  const runs = !command.commands || ("run" in command && words.length > 0);
  /** @type {[string, string][]} */
  const own = runs ? [[usage(words, command), command.summary]] : [];
  if (!command.commands) return own;
  return [...own, ...Object.entries(command.commands).flatMap(([name, child]) => leaves([...words, name], child))];
}

/** @param {[string, string][]} rows */
function section(rows) {
  const width = Math.max(...rows.map(([left]) => displayWidth(left)));
  return rows.map(([left, right]) => `  ${left}${" ".repeat(width - displayWidth(left))}  ${right}\n`).join("");
}

/**
 * The help of the command at `path`: usage, what it does, its subcommands or options, and the global options.
 * @param {CommandSpec} root
 * @param {string[]} path
 * @param {CommandSpec} command
 */
export function helpText(root, path, command) {
  const words = ["callrelay", ...path];
  const own = command === root ? {} : (command.options ?? {});
  const globals = Object.entries(root.options ?? {}).map(([name, spec]) => {
    const shadowed = Object.hasOwn(own, name) ? `; give it before "${path.join(" ")}"` : "";
    return /** @type {[string, string]} */ ([flag(name, spec), `${spec.description}${shadowed}`]);
  });
  const parts = [
    `Usage: ${usage(words, command)}\n`,
    `\n${command.summary}\n`,
    command.description ? `\n${command.description}\n` : "",
    command.commands ? `\nCommands:\n${section(leaves([], command))}` : "",
    Object.keys(own).length > 0
      ? `\nOptions:\n${section(Object.entries(own).map(([name, spec]) => [flag(name, spec), spec.description]))}`
      : "",
    `\nGlobal options:\n${section([...globals, ["-h, --help", "Show help"]])}`,
  ];
  return parts.join("");
}
