import type { OpenAPIHono } from "@hono/zod-openapi";
import { describeDestinationTypes } from "./destination-configs";
import { describeEvents } from "./event-schemas";
import { generatedDocument } from "./generated-document";

/** The OpenAPI 3.1 document of `app`'s routes, with `origin` as the server; admin routes require `adminToken`. */
export function openApiDocument(app: Pick<OpenAPIHono, "getOpenAPI31Document">, origin: string) {
  return describeEvents(describeDestinationTypes(generatedDocument(app, origin)));
}
