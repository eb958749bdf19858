import type { DestinationType } from "../types";
import { dingtalk } from "./dingtalk";
import { discord } from "./discord";
import { feishu } from "./feishu";
import { slack } from "./slack";
import { teams } from "./teams";
import { telegram } from "./telegram";
import { webhook } from "./webhook";
import { wecom } from "./wecom";

/** Every destination type, by name. */
export const destinationTypes = { webhook, slack, telegram, feishu, dingtalk, wecom, discord, teams };

/** A destination type's name, e.g. `webhook`. */
export type DestinationTypeName = keyof typeof destinationTypes;

/** Whether `type` names a destination type. */
export function isDestinationTypeName(type: string): type is DestinationTypeName {
  return Object.hasOwn(destinationTypes, type);
}

/**
 * The destination type named `type`, typed for configs as stored (each type's schema checked them on save).
 * Throws for an unknown name.
 */
export function getDestinationType(type: string): DestinationType {
  if (!isDestinationTypeName(type)) throw new Error(`Unknown destination type "${type}"`);
  return destinationTypes[type] as unknown as DestinationType;
}
