import { z } from "zod";
import { destinationTypes } from "../../messages/destinations/registry";
import type { OpenApiDocument } from "./generated-document";

/** What each type sends, in a line. */
const summaries: Record<keyof typeof destinationTypes, string> = {
  webhook: "Signed JSON POSTs (Standard Webhooks). `secret` is generated when not given and shown once.",
  slack: "Messages through a Slack incoming webhook.",
  telegram: "HTML messages through a Telegram bot's sendMessage.",
  feishu: "Interactive cards through a Feishu/Lark custom bot (with its signing secret when set).",
  dingtalk: "Markdown messages through a DingTalk custom robot (with its signing secret when set).",
  wecom: "Markdown messages through a WeCom group robot.",
  discord: "Embeds through a Discord channel webhook.",
  teams: "Cards through a Microsoft Teams incoming webhook (Workflows).",
};

const capitalized = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`;

/** A destination the sample request creates, and what the API answers. */
export const destinationExamples = {
  request: {
    name: "CRM: interested callers",
    type: "webhook",
    config: { url: "https://crm.example.com/hooks/calls" },
    filter: { connected: true, intentCode: { $in: ["302", "303"] } },
  },
  response: {
    id: "dst_7n3kq2m5xw4hv6yjb3c2tr8a1e",
    name: "CRM: interested callers",
    type: "webhook",
    config: { url: "https://crm.example.com/…", secret: "********" },
    filter: { connected: true, intentCode: { $in: ["302", "303"] } },
    sourceIds: [],
    options: { timezone: "Asia/Shanghai", locale: "en", maskCallee: false },
    template: null,
    enabled: true,
    disabledReason: null,
    createdAt: "2026-03-26T07:22:30.000Z",
    updatedAt: "2026-03-26T07:22:30.000Z",
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  },
};

/**
 * Adds each destination type's `config` to `doc` as its own schema (`WebhookConfig`, …), and documents the body of
 * `POST /api/v1/destinations` as a union discriminated by `type`, with the example above.
 */
export function describeDestinationTypes(doc: OpenApiDocument): OpenApiDocument {
  const create = doc.paths?.["/api/v1/destinations"]?.post;
  const body = create?.requestBody;
  if (!body || !("content" in body)) return doc;
  const schemas: Record<string, unknown> = { ...doc.components?.schemas };
  schemas.DestinationInput = body.content["application/json"]?.schema;
  const mapping: Record<string, string> = {};
  for (const [name, type] of Object.entries(destinationTypes)) {
    const config = z.toJSONSchema(type.configSchema({ allowHttp: false }), { io: "input", unrepresentable: "any" });
    const { $schema: _, ...schema } = config;
    const configName = `${capitalized(name)}Config`;
    schemas[configName] = { ...schema, description: summaries[name as keyof typeof summaries] };
    schemas[`${capitalized(name)}Destination`] = {
      allOf: [
        { $ref: "#/components/schemas/DestinationInput" },
        {
          type: "object",
          properties: { type: { const: name }, config: { $ref: `#/components/schemas/${configName}` } },
        },
      ],
    };
    mapping[name] = `#/components/schemas/${capitalized(name)}Destination`;
  }
  schemas.DestinationCreate = {
    oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
    discriminator: { propertyName: "type", mapping },
  };
  body.content["application/json"] = {
    schema: { $ref: "#/components/schemas/DestinationCreate" },
    example: destinationExamples.request,
  };
  const created = create?.responses?.["201"];
  const json = created && "content" in created ? created.content?.["application/json"] : undefined;
  if (json) json.example = destinationExamples.response;
  return { ...doc, components: { ...doc.components, schemas: schemas as never } };
}
