#!/usr/bin/env node
// `npm run dev`: local secrets from the example on first run, local D1 migrations, then `wrangler dev`.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

const run = (args) => {
  const result = spawnSync("npx", ["wrangler", ...args], { stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local ADMIN_TOKEN and PUSH_TOKEN).");
}
run(["d1", "migrations", "apply", "DB", "--local"]);
run(["dev", ...process.argv.slice(2)]);
