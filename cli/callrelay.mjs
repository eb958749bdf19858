#!/usr/bin/env node
// @ts-check
import process from "node:process";
import { requireNode } from "./node-check.mjs";

requireNode();
const { run } = await import("./run.mjs");
const { createInterface } = await import("node:readline/promises");

/** @param {string} question */
async function ask(question) {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

process.exitCode = await run(process.argv.slice(2), {
  fetch,
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  ask: process.stdin.isTTY && process.stderr.isTTY ? ask : undefined,
});
