// @ts-check
import { path } from "../http.mjs";
import { knownDestination } from "../list.mjs";

/** @typedef {{created: number, scanned: number, complete: boolean, nextCursor: string | null}} ReplayChunk */

/** @type {import("../run.mjs").Command} */
export const replay = {
  summary: "Deliver a window's stored calls that a destination never got",
  description:
    "Creates a delivery for each stored call received in [--since, --until) that matches the destination's\n" +
    "sources and filter (and --filter) and has none to it yet, in as many requests as the window needs.\n" +
    "Calls already delivered are left alone, so an interrupted replay can simply be run again.",
  args: ["destinationId"],
  options: {
    since: { type: "string", value: "T", required: true, description: "Received at or after (ISO 8601 or epoch ms)" },
    until: { type: "string", value: "T", description: "Received before (ISO 8601 or epoch ms; default: now)" },
    filter: { type: "json", value: "JSON", description: "Only calls also matching this filter expression" },
  },
  run: async ({ args: [id], flags, api, out }) => {
    await knownDestination(api, id);
    const until = flags.string("until") ?? new Date().toISOString();
    const window = { since: flags.string("since"), until, filter: flags.json("filter") };
    const total = { created: 0, scanned: 0, requests: 0 };
    /** @type {string | undefined} */
    let cursor;
    for (;;) {
      const chunk = /** @type {ReplayChunk} */ (
        await api.post(path`/destinations/${id}/replay`, { ...window, cursor })
      );
      total.created += chunk.created;
      total.scanned += chunk.scanned;
      total.requests += 1;
      if (chunk.nextCursor === null) break;
      out.note(`… ${total.scanned} calls read, ${total.created} deliveries created so far`);
      cursor = chunk.nextCursor;
    }
    out.show(
      total,
      () => `Replay complete: ${total.scanned} stored calls read, ${total.created} deliveries created.\n`,
    );
  },
};
