import { z } from "@hono/zod-openapi";
import { callFieldDocs } from "../../model/calls/field-docs";
import { type NormalizedCall, normalizedFieldTypes } from "../../model/calls/fields";
import { callDescriptionLabels, callStatusLabels } from "../../model/calls/labels";
import { sampleCall } from "../../model/calls/sample-call";

const alwaysSet = new Set(["voiceId", "connected", "sourceId", "receivedAt"]);
const kinds = { string: z.string(), number: z.number(), boolean: z.boolean() };
const enums: Partial<Record<keyof NormalizedCall, string[]>> = {
  callStatusLabel: Object.values(callStatusLabels),
  callDescriptionLabel: Object.values(callDescriptionLabels),
};

/** A normalized call in API output: every field of the record, `null` when absent; times in epoch ms. */
export const callSchema = z
  .object(
    Object.fromEntries(
      Object.entries(normalizedFieldTypes).map(([name, type]): [string, z.ZodType] => {
        const field = name as keyof NormalizedCall;
        const values = enums[field];
        const doc = { description: callFieldDocs[field], enum: values && [...values, null] };
        return [name, (alwaysSet.has(name) ? kinds[type] : kinds[type].nullable()).openapi(doc)];
      }),
    ) as Record<keyof NormalizedCall, z.ZodType>,
  )
  .openapi("Call", {
    description: "A call record: every field, `null` when absent; times in UTC epoch milliseconds.",
    example: sampleCall("src_default", Date.UTC(2026, 2, 26, 7, 22, 30)),
  });
