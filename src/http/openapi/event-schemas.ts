import { z } from "zod";
import { eventData, operationEventTypes } from "../../model/events/types";
import type { OpenApiDocument } from "./generated-document";

const schemaName = (type: string) =>
  `${type
    .split(/[._]/)
    .map((part) => `${part[0]?.toUpperCase()}${part.slice(1)}`)
    .join("")}Event`;

/**
 * Adds what webhooks receive for each event type but `call.reported` (whose `data` is the call): a schema per type
 * (`DestinationDisabledEvent`, …) and an OpenAPI 3.1 `webhooks` entry naming it.
 */
export function describeEvents(doc: OpenApiDocument): OpenApiDocument {
  const schemas: Record<string, unknown> = { ...doc.components?.schemas };
  const webhooks: Record<string, unknown> = { ...doc.webhooks };
  for (const type of operationEventTypes) {
    const { $schema: _, ...data } = z.toJSONSchema(eventData[type], { unrepresentable: "any" });
    const name = schemaName(type);
    schemas[name] = {
      type: "object",
      required: ["type", "timestamp", "data"],
      properties: {
        type: { const: type },
        timestamp: { type: "string", description: "ISO 8601 instant the event was made" },
        data,
      },
    };
    webhooks[type] = {
      post: {
        summary: `${type} event`,
        description:
          "Sent to destinations subscribed to this type, signed like `call.reported` (Standard Webhooks headers).",
        requestBody: { content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } } },
        responses: { "200": { description: "Any 2xx: delivered" } },
      },
    };
  }
  return {
    ...doc,
    webhooks: webhooks as never,
    components: { ...doc.components, schemas: schemas as never },
  };
}
