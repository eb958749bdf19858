#!/usr/bin/env node
// `npm run dev`: the Worker on http://127.0.0.1:8787 with local D1, R2 and Queues, its cron every minute.
// `npm run dev -- <wrangler dev flags>` passes flags on; one callrelay sets itself (--ip, --port, --test-scheduled)
// is replaced by the one given: `npm run dev -- --ip 0.0.0.0` takes pushes from other machines.
import { requireNode } from "../cli/node-check.mjs";

requireNode();
const { applyLocalMigrations, ensureDevVars, optionalVarArgs, startRelay } = await import("./dev/relay.mjs");

const { adminToken, pushToken, vars, warnings } = ensureDevVars();
const applied = applyLocalMigrations();
const relay = await startRelay({ args: [...optionalVarArgs(vars), ...process.argv.slice(2)] });
console.log(`callrelay is running (local D1, R2 and Queues under .wrangler/; ${applied} new migration(s) applied)
  relay:       ${relay.url}
  push URL:    ${relay.url}/push/${pushToken || "<PUSH_TOKEN>"}   (PUSH_TOKEN in .dev.vars)
  admin token: ${adminToken || "?"}   (ADMIN_TOKEN in .dev.vars)
  CLI:         export CALLRELAY_URL=${relay.url} CALLRELAY_TOKEN=${adminToken}; npx callrelay --help
  docs:        ${relay.url}/docs
  cron:        the scheduled handler runs every minute (retries, sweeps), as deployed
Ctrl-C stops it.`);
for (const warning of warnings) console.warn(`warning: .dev.vars: ${warning}`);
process.on("SIGINT", relay.stop);
process.on("SIGTERM", relay.stop);
await relay.exited;
