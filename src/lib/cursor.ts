import { z } from "@hono/zod-openapi";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** An opaque cursor: the base64url of the JSON of the sort keys of the last row of a page. */
export function encodeCursor(keys: Record<string, string | number>): string {
  const bytes = encoder.encode(JSON.stringify(keys));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) return undefined;
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

/**
 * `cursor`: the previous page's `nextCursor`, read back into its sort keys and checked with `keys`.
 * A cursor that does not decode to them fails validation (a 400 naming `cursor`).
 */
export function cursorParam<T extends z.ZodType>(keys: T) {
  return z
    .string()
    .max(1000)
    .transform((cursor, ctx): z.output<T> => {
      const parsed = keys.safeParse(decodeCursor(cursor));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: "custom", message: "not a cursor of this list: pass nextCursor as it was given" });
      return z.NEVER;
    })
    .optional()
    .openapi({ type: "string", description: "`nextCursor` of the previous page; absent for the first page" });
}
