// @ts-check
// The `wrangler dev` command line of `npm run dev -- <wrangler flags>`: callrelay's defaults, each replaced by
// the same flag when the person gives it.

/** What `npm run dev` passes unless told otherwise: flag name → its value (undefined for a switch). */
export const DEV_DEFAULTS = /** @type {const} */ ({
  "--ip": "127.0.0.1",
  "--port": "8787",
  "--test-scheduled": undefined,
});

/** @param {string} token */
const flagName = (token) => (token.startsWith("--") ? token.split("=", 1)[0] : undefined);

/**
 * The value the person gave for `name` (`--name value` or `--name=value`), the last one winning as in wrangler.
 * @param {readonly string[]} argv
 * @param {string} name
 */
function given(argv, name) {
  /** @type {string | undefined} */
  let value;
  argv.forEach((token, i) => {
    if (token === name) value = argv[i + 1];
    else if (token.startsWith(`${name}=`)) value = token.slice(name.length + 1);
  });
  return value;
}

/**
 * `wrangler dev`'s arguments: every default whose flag the person did not give, then theirs as they are; and
 * where the relay then answers (an unspecified address such as 0.0.0.0 is reached through loopback).
 * @param {readonly string[]} argv The arguments after `npm run dev --`
 * @returns {{args: string[], url: string}}
 */
export function devArgs(argv) {
  const names = new Set(argv.map(flagName));
  const defaults = Object.entries(DEV_DEFAULTS).flatMap(([name, value]) =>
    names.has(name) ? [] : value === undefined ? [name] : [name, value],
  );
  const ip = given(argv, "--ip") ?? DEV_DEFAULTS["--ip"];
  const port = given(argv, "--port") ?? DEV_DEFAULTS["--port"];
  const host = ip === "0.0.0.0" || ip === "*" ? "127.0.0.1" : ip === "::" ? "[::1]" : ip.includes(":") ? `[${ip}]` : ip;
  return { args: [...defaults, ...argv], url: `http://${host}:${port}` };
}
