// @ts-check
import { cell } from "./table.mjs";

/** @typedef {{write(text: string): unknown}} Stream */

/**
 * How a command prints: its result on `stdout`, as the API's JSON with `--json` or as text; notes on `stderr`.
 * @param {boolean} json
 * @param {Stream} stdout
 * @param {Stream} stderr
 */
export function createOutput(json, stdout, stderr) {
  return {
    json,
    /**
     * @param {unknown} body What `--json` prints
     * @param {() => string} render The text printed otherwise
     */
    show(body, render) {
      stdout.write(json ? `${JSON.stringify(body, null, 2)}\n` : render());
    },
    /** @param {string} line */
    note(line) {
      stderr.write(`${cell(line)}\n`);
    },
  };
}

/** @typedef {ReturnType<typeof createOutput>} Output */
