#!/usr/bin/env node
// @ts-check
// Runs before every entry point (`npm run dev|sink|demo|bench:*`, `npx callrelay`): plain JavaScript that any
// Node parses, so an old Node gets one clear message instead of a parser or wrangler error.

/** The oldest Node that runs callrelay (`engines` in package.json). */
export const MIN_NODE = { major: 22, minor: 12 };

/**
 * Why Node `version` (e.g. "20.19.2") cannot run callrelay; undefined when it can.
 * @param {string} version
 */
export function nodeProblem(version) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > MIN_NODE.major || (major === MIN_NODE.major && minor >= MIN_NODE.minor)) return undefined;
  return (
    `callrelay needs Node ${MIN_NODE.major}.${MIN_NODE.minor} or newer; this is Node ${version} (${process.execPath}).\n` +
    "Get a newer one, then run the command again:\n" +
    "  nvm install          (reads .nvmrc; or fnm install, volta install node@24)\n" +
    "  or https://nodejs.org/en/download\n" +
    "  or without a version manager: npm install --prefix ~/.cache/callrelay-node node@24\n" +
    '       export PATH="$HOME/.cache/callrelay-node/node_modules/.bin:$PATH"\n'
  );
}

/** Exits 1 with {@link nodeProblem}'s message when this Node is too old. */
export function requireNode(version = process.versions.node) {
  const problem = nodeProblem(version);
  if (problem === undefined) return;
  process.stderr.write(problem);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) requireNode();
