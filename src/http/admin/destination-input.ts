import { z } from "@hono/zod-openapi";
import { destinationTypes } from "../../messages/destinations/registry";
import { destinationOptionsInput } from "../../messages/options";
import { eventsInput } from "../../model/events/types";
import { filterSchema } from "./filter-schema";

const typeNames = Object.keys(destinationTypes) as [string, ...string[]];

/** What creating a destination takes (the console validates its forms with it too). */
export const destinationInput = z.object({
  name: z.string().trim().min(1).max(100),
  type: z.enum(typeNames),
  config: z.record(z.string(), z.unknown()).openapi({ description: "Type-specific settings; see the README's table" }),
  filter: filterSchema.optional().openapi({ type: "object", description: "Which calls to forward; {} is every call" }),
  sourceIds: z
    .array(z.string())
    .max(100)
    .optional()
    .openapi({ description: "Only calls from these sources; empty: all" }),
  options: destinationOptionsInput.optional(),
  template: z
    .string()
    .regex(/\S/, "must not be blank; null removes the template")
    .nullable()
    .optional()
    .openapi({
      description:
        "The message text (chat types, in the platform's markup) or the JSON body (webhook), with `{{field}}` " +
        "for any field of the call record; null: the default layout. See the README's templates section.",
      example: "*{{intent}}* ({{intentCode}}) from {{callee}}, {{callDuration}}",
    }),
  events: eventsInput.optional().openapi({
    description:
      'Event types this destination receives (default `["call.reported"]`); `filter` applies to `call.reported` only. ' +
      "See the README's Events section for each type's `data`.",
    example: ["call.reported", "records.rejected", "pushes.silent", "digest.daily"],
  }),
  enabled: z.boolean().optional(),
});

/** What editing a destination takes: every field but its type, each optional. */
export const destinationPatch = destinationInput.omit({ type: true }).partial().strict();
