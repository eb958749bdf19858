import { z } from "zod";
import type { DestinationOptions } from "./types";

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Presentation options as given in the admin API; absent ones take their defaults. */
export const destinationOptionsInput = z
  .object({
    timezone: z.string().refine(isTimeZone, { message: "Unknown IANA time zone" }).optional(),
    locale: z.enum(["en", "zh"]).optional(),
    maskCallee: z.boolean().optional(),
  })
  .strict();

/** Options with defaults: `Asia/Shanghai`, `en`, callee masked for chat types. */
export function resolveOptions(
  input: z.infer<typeof destinationOptionsInput> | Record<string, unknown>,
  chat: boolean,
): DestinationOptions {
  const given = input as Partial<DestinationOptions>;
  return {
    timezone: given.timezone ?? "Asia/Shanghai",
    locale: given.locale ?? "en",
    maskCallee: given.maskCallee ?? chat,
  };
}
