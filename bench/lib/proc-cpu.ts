import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";

const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) of the workerd processes in wrangler's process group: the Worker and local D1/R2/Queues. */
export async function workerdCpuMs(group: number): Promise<number> {
  let ticks = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== group || !name.startsWith("workerd")) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}
