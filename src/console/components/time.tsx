import { useRequestContext } from "hono/jsx-renderer";
import { formatInstant } from "../../lib/format-time";
import type { ConsoleEnv } from "../shell/env";
import { relativeTime } from "../shell/relative-time";

/**
 * An instant (epoch ms or ISO text) in the viewer's time zone, machine-readable in `datetime`, with how long ago
 * it was on hover.
 */
export function Time({ at }: { at: number | string | null | undefined }) {
  const c = useRequestContext<ConsoleEnv>();
  if (at === null || at === undefined) return <span>—</span>;
  const ms = typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return <span>{String(at)}</span>;
  return (
    <time datetime={new Date(ms).toISOString()} title={relativeTime(ms, Date.now(), c.get("lang"))}>
      {formatInstant(ms, c.get("timeZone")).replace(/ \(.*\)$/, "")}
    </time>
  );
}
