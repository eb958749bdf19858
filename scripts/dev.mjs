#!/usr/bin/env node
// `npm run dev`: the Worker on http://127.0.0.1:8787 (or --port N) with local D1, R2 and Queues, its cron every
// minute. Other arguments go to `wrangler dev`.
import { requireNode } from "./node-check.mjs";

requireNode();
const { applyLocalMigrations, ensureDevVars, startRelay } = await import("./dev/relay.mjs");

const argv = process.argv.slice(2);
const at = argv.indexOf("--port");
const port = at === -1 ? 8787 : Number(argv[at + 1]);
const rest = at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 2)];

const { adminToken, pushToken } = ensureDevVars();
const applied = applyLocalMigrations();
const relay = await startRelay({ port, args: rest });
console.log(`callrelay is running (local D1, R2 and Queues under .wrangler/; ${applied} new migration(s) applied)
  relay:       ${relay.url}
  push URL:    ${relay.url}/push/${pushToken || "<PUSH_TOKEN>"}   (PUSH_TOKEN in .dev.vars)
  admin token: ${adminToken || "?"}   (ADMIN_TOKEN in .dev.vars)
  CLI:         export CALLRELAY_URL=${relay.url} CALLRELAY_TOKEN=${adminToken}; npx callrelay --help
  docs:        ${relay.url}/docs
  cron:        the scheduled handler runs every minute (retries, sweeps), as deployed
Ctrl-C stops it.`);
process.on("SIGINT", relay.stop);
process.on("SIGTERM", relay.stop);
await relay.exited;
