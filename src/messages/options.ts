import { z } from "zod";
import { isValidTimeZone } from "../lib/format-time";
import { eventSettingsInput } from "../model/events/settings";
import type { DestinationOptions } from "./types";

/** Presentation options as given in the admin API; absent ones take their defaults. */
export const destinationOptionsInput = z
  .object({
    timezone: z.string().refine(isValidTimeZone, { message: "Unknown IANA time zone" }).optional(),
    locale: z.enum(["en", "zh"]).optional(),
    maskCallee: z.boolean().optional(),
    ...eventSettingsInput,
  })
  .strict();

const eventSettingNames = Object.keys(eventSettingsInput);

/**
 * Options with defaults: `Asia/Shanghai`, `en`, callee masked for chat types; event settings (see
 * `events/settings.ts`) kept as given, absent ones taking their defaults where they are used.
 */
export function resolveOptions(
  input: z.infer<typeof destinationOptionsInput> | Record<string, unknown>,
  chat: boolean,
): DestinationOptions {
  const given = input as Partial<DestinationOptions> & Record<string, unknown>;
  const events = Object.fromEntries(
    eventSettingNames.flatMap((name) => (given[name] === undefined ? [] : [[name, given[name]]])),
  );
  return {
    timezone: given.timezone ?? "Asia/Shanghai",
    locale: given.locale ?? "en",
    maskCallee: given.maskCallee ?? chat,
    ...events,
  };
}
