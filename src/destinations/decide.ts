import type { z } from "@hono/zod-openapi";
import type { destinations } from "../db/schema";
import { defaultEvents } from "../events/types";
import type { FieldIssue } from "../lib/validation";
import type { destinationInput, destinationPatch } from "./input";
import { resolveOptions } from "./options";
import type { DestinationType } from "./types";

type DestinationRow = typeof destinations.$inferSelect;
type Config = Record<string, unknown>;

/** One issue for each source id that is not known. */
export function unknownSourceIssues(ids: readonly string[], known: ReadonlySet<string>): FieldIssue[] {
  return ids.flatMap((id, i) => (known.has(id) ? [] : [{ path: `sourceIds[${i}]`, message: `Unknown source ${id}` }]));
}

/** What checked input and config are saved as, for a new destination. */
export function newDestination(
  input: z.output<typeof destinationInput>,
  checked: { config: Config; template: string | null },
  type: Pick<DestinationType, "chat">,
  id: string,
  now: number,
) {
  return {
    id,
    name: input.name,
    type: input.type,
    config: checked.config,
    filter: input.filter ?? {},
    sourceIds: input.sourceIds ?? [],
    options: resolveOptions(input.options ?? {}, type.chat),
    template: checked.template,
    events: input.events ?? defaultEvents,
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The columns a checked patch changes (undefined: unchanged), and whether it re-enables the destination (then its
 * paused deliveries resume). Options merge into the stored ones; re-enabling clears why it was disabled.
 */
export function destinationChanges(
  current: DestinationRow,
  patch: z.output<typeof destinationPatch>,
  checked: { config: Config | undefined; template: string | null | undefined },
  type: Pick<DestinationType, "chat">,
  now: number,
) {
  return {
    set: {
      name: patch.name,
      config: checked.config,
      filter: patch.filter,
      sourceIds: patch.sourceIds,
      options: patch.options ? resolveOptions({ ...current.options, ...patch.options }, type.chat) : undefined,
      template: checked.template,
      events: patch.events,
      enabled: patch.enabled,
      disabledReason: patch.enabled === true ? null : undefined,
      updatedAt: now,
    },
    enabling: patch.enabled === true && !current.enabled,
  };
}
