import { z } from "@hono/zod-openapi";

/** An OpenAPI body or response of JSON matching `schema`. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** The one error shape (see `errors.ts`), as an OpenAPI response. */
export const errorResponse = jsonContent(
  z
    .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
    .openapi("Error"),
  "Error",
);
