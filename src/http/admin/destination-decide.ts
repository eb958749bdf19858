import type { z } from "@hono/zod-openapi";
import type { FieldIssue } from "../../lib/validation";
import { resolveOptions } from "../../messages/options";
import type { CredentialHost, DestinationType } from "../../messages/types";
import { defaultEvents } from "../../model/events/types";
import type { destinations } from "../../storage/db/schema";
import type { destinationInput, destinationPatch } from "./destination-input";

type DestinationRow = typeof destinations.$inferSelect;
type Config = Record<string, unknown>;

/** The origin a URL names (scheme, host and port), or the value as it is when it is not a URL. */
function originOf(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

const hasValue = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  value !== "" &&
  !(typeof value === "object" && Object.keys(value).length === 0);

/**
 * The credentials a config change must give again, one issue each (path `config.<field>`): those bound to a host
 * the change moves to another origin, stored with a value, and not in the change. None when no host moves.
 */
export function credentialsToRenew(
  hosts: readonly CredentialHost<Config>[],
  stored: Config,
  change: Config,
): FieldIssue[] {
  return hosts.flatMap(({ hostField, defaultUrl, credentials }) => {
    if (!(hostField in change)) return [];
    const before = originOf(stored[hostField] ?? defaultUrl);
    const after = originOf(change[hostField] ?? defaultUrl);
    if (before === after) return [];
    return credentials
      .filter((field) => hasValue(stored[field]) && !(field in change))
      .map((field) => ({
        path: `config.${field}`,
        message: `give ${field} again: the new ${hostField} is another host (${String(after)}), and the stored ${field} was for ${String(before)}`,
      }));
  });
}

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
