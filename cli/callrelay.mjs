#!/usr/bin/env node
// @ts-check
import process from "node:process";
import { requireNode } from "../scripts/node-check.mjs";

requireNode();
const { run } = await import("./run.mjs");
process.exitCode = await run(process.argv.slice(2), {
  fetch,
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
