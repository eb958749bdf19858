import { z } from "@hono/zod-openapi";
import { type NormalizedCall, normalizedFieldTypes } from "../ingest/fields";

const alwaysSet = new Set(["voiceId", "connected", "sourceId", "receivedAt"]);
const kinds = { string: z.string(), number: z.number(), boolean: z.boolean() };

/** A normalized call in API output: every field of the record, `null` when absent; times in epoch ms. */
export const callSchema = z
  .object(
    Object.fromEntries(
      Object.entries(normalizedFieldTypes).map(([name, type]): [string, z.ZodType] => [
        name,
        alwaysSet.has(name) ? kinds[type] : kinds[type].nullable(),
      ]),
    ) as Record<keyof NormalizedCall, z.ZodType>,
  )
  .openapi("Call");
