import { useRequestContext } from "hono/jsx-renderer";
import { formatInstant } from "../../lib/format-time";
import type { ConsoleEnv } from "../shell/env";

/** An instant (epoch ms or ISO text) in the viewer's time zone, machine-readable in `datetime`. */
export function Time({ at }: { at: number | string | null | undefined }) {
  const c = useRequestContext<ConsoleEnv>();
  if (at === null || at === undefined) return <span>—</span>;
  const ms = typeof at === "number" ? at : Date.parse(at);
  return (
    <time datetime={new Date(ms).toISOString()}>{formatInstant(ms, c.get("timeZone")).replace(/ \(.*\)$/, "")}</time>
  );
}
