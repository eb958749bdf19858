import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { jsonContent } from "../../lib/openapi";
import type { AppEnv } from "../app-env";
import { renderDocsPage } from "./docs-page";
import { openApiDocument } from "./document";
import { registerPublicPaths } from "./public-paths";

/** The page's policy: its own inline styles, nothing else (no scripts, no requests). */
const docsPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /openapi.json` and `GET /docs`: the OpenAPI 3.1 document of every route of `root` (the app this is
 * mounted on), and the same as a readable page. Both public. Also documents the routes `root` serves
 * outside the OpenAPI route builder.
 */
export function openApiRoutes(root: Pick<OpenAPIHono, "getOpenAPI31Document">) {
  const routes = new OpenAPIHono<AppEnv>();
  registerPublicPaths(routes.openAPIRegistry);
  return routes
    .openapi(
      createRoute({
        method: "get",
        path: "/openapi.json",
        summary: "This API as an OpenAPI 3.1 document",
        security: [],
        responses: { 200: jsonContent(z.record(z.string(), z.unknown()), "The document") },
      }),
      (c) => c.json(openApiDocument(root, new URL(c.req.url).origin), 200),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/docs",
        summary: "This API as a readable page",
        description: "Self-contained HTML rendered from `/openapi.json`: no scripts, nothing loaded from elsewhere.",
        security: [],
        responses: { 200: { content: { "text/html": { schema: z.string() } }, description: "The page" } },
      }),
      (c) => {
        c.header("content-security-policy", docsPolicy);
        return c.html(renderDocsPage(openApiDocument(root, new URL(c.req.url).origin)), 200);
      },
    );
}
