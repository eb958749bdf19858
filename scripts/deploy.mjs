#!/usr/bin/env node
// `npm run deploy`: see scripts/deploy/run.mjs, or `npm run deploy -- --help`.
import { requireNode } from "../cli/node-check.mjs";

requireNode();
const { runDeploy } = await import("./deploy/run.mjs");

process.exitCode = await runDeploy(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
