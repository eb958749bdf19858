import { getDestinationType } from "../../messages/destinations/registry";
import { maskUrl } from "../../messages/url-rules";
import type { destinations } from "../../storage/db/schema";

type DestinationRow = typeof destinations.$inferSelect;

const HIDDEN = "********";

function maskValue(field: string, value: unknown): unknown {
  if (typeof value === "string") return field === "url" || field.endsWith("Url") ? maskUrl(value) : HIDDEN;
  if (value && typeof value === "object") return Object.fromEntries(Object.keys(value).map((key) => [key, HIDDEN]));
  return value;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A destination as the admin API shows it: secrets and URLs masked. */
export function destinationView(row: DestinationRow) {
  const type = getDestinationType(row.type);
  const config: Record<string, unknown> = { ...row.config };
  for (const field of type.secretFields) {
    config[field] = maskValue(field, config[field]);
  }
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    config,
    filter: row.filter,
    sourceIds: row.sourceIds,
    options: row.options,
    template: row.template,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    circuit: row.circuit,
    openUntil: row.circuit === "closed" || row.openUntil === null ? null : iso(row.openUntil),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
