import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "./wrangler.ts";

function version(path: string): string {
  try {
    return execFileSync(process.execPath, ["-p", `require(${JSON.stringify(path)}).version`], {
      encoding: "utf8",
    }).trim();
  } catch {
    return "?";
  }
}

/** One line on where the figures come from. */
export function machineSummary(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  const wrangler = version(join(ROOT, "node_modules/wrangler/package.json"));
  const workerd = version(join(ROOT, "node_modules/workerd/package.json"));
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return (
    `${availableParallelism()} cores (${cpu}), ${memory} RAM, ${process.platform}; node ${process.version}; ` +
    `wrangler ${wrangler}, workerd ${workerd}; load average at start ${load}`
  );
}

/** The 1-minute load average now: above the core count, other processes competed with the bench. */
export function loadNow(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}
