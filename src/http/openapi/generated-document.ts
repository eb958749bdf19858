import type { OpenAPIHono } from "@hono/zod-openapi";
import pkg from "../../../package.json";

/** The document Hono generates from `app`'s routes, before the parts that describe destination types and events. */
export function generatedDocument(app: Pick<OpenAPIHono, "getOpenAPI31Document">, origin: string) {
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

/** An OpenAPI 3.1 document as `openApiDocument` (document.ts) returns it. */
export type OpenApiDocument = ReturnType<typeof generatedDocument>;
