import type { OpenAPIHono } from "@hono/zod-openapi";
import pkg from "../../../package.json";
import { describeDestinationTypes } from "./destination-configs";
import { describeEvents } from "./event-schemas";

/** The OpenAPI 3.1 document of `app`'s routes, with `origin` as the server; admin routes require `adminToken`. */
export function openApiDocument(app: Pick<OpenAPIHono, "getOpenAPI31Document">, origin: string) {
  return describeEvents(describeDestinationTypes(generated(app, origin)));
}

function generated(app: Pick<OpenAPIHono, "getOpenAPI31Document">, origin: string) {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "callrelay",
      version: pkg.version,
      description:
        `${pkg.description} The admin API under \`/api/v1\` takes \`Authorization: Bearer <ADMIN_TOKEN>\`; ` +
        'errors are `{"error": {"code", "message", "details"?}}`.',
    },
    servers: [{ url: origin }],
    security: [{ adminToken: [] }],
  });
}

/** An OpenAPI 3.1 document as {@link openApiDocument} returns it. */
export type OpenApiDocument = ReturnType<typeof generated>;
