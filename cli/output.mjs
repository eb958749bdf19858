// @ts-check
import { cell, shortTime } from "./table.mjs";

/** @typedef {{write(text: string): unknown}} Stream */

/**
 * How a command prints: its result on `stdout`, as the API's JSON with `--json` or as text; notes on `stderr`.
 * @param {boolean} json
 * @param {Stream} stdout
 * @param {Stream} stderr
 * @param {string} [timeZone] Of the times in tables
 */
export function createOutput(json, stdout, stderr, timeZone = "UTC") {
  return {
    json,
    /** IANA zone of the times shown, and of dates given without one */
    timeZone,
    /** @param {string | number | null | undefined} value An instant, shown in the chosen time zone */
    time: (value) => shortTime(value, timeZone),
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
