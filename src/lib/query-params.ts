import { z } from "@hono/zod-openapi";

/** Largest page any list returns. */
export const MAX_PAGE_SIZE = 200;

const isoInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** `limit`: how many rows a page holds, 1 to {@link MAX_PAGE_SIZE}, 50 when absent. */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(50)
  .openapi({ type: "integer", description: `Rows per page, 1-${MAX_PAGE_SIZE}`, example: 50 });

/** An instant given as ISO 8601 (a date, or a date-time with `Z` or an offset) or epoch milliseconds; read as epoch ms. */
export const instantParam = z
  .string()
  .transform((value, ctx) => {
    if (/^\d{1,15}$/.test(value)) return Number(value);
    if (isoInstant.safeParse(value).success) return Date.parse(value);
    ctx.addIssue({
      code: "custom",
      message: "expected an ISO 8601 date-time such as 2026-03-26T07:00:00Z, or epoch ms",
    });
    return z.NEVER;
  })
  .openapi({ description: "ISO 8601 (`2026-03-26`, `2026-03-26T07:00:00Z`) or epoch milliseconds" });

/** `true` or `false`. */
export const booleanParam = z
  .enum(["true", "false"])
  .transform((value) => value === "true")
  .openapi({ type: "boolean" });

/** A non-negative integer id, e.g. a task id. */
export const integerParam = z
  .string()
  .regex(/^\d{1,15}$/, "expected an integer")
  .transform(Number)
  .openapi({ type: "integer" });

/**
 * Several values of a query parameter, comma-separated (`status=failed,retrying`), each one of `allowed`; read as
 * the distinct values, at most `max`.
 */
export function listParam<T extends string>(allowed: readonly T[], max = 50) {
  return z
    .string()
    .transform((value, ctx) => {
      const values = [...new Set(value.split(",").map((v) => v.trim()))].filter((v) => v !== "");
      const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
      if (unknown.length > 0 || values.length > max) {
        ctx.addIssue({
          code: "custom",
          message:
            unknown.length > 0
              ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")} (several: comma-separated); ${unknown.map((v) => JSON.stringify(v)).join(", ")} is not`
              : `at most ${max} values`,
        });
        return z.NEVER;
      }
      return values as T[];
    })
    .openapi({ type: "string", description: `Comma-separated: ${allowed.join(", ")}` });
}

/** Several ids, comma-separated, at most `max` of at most 100 characters each; read as the distinct ids. */
export const idListParam = (max = 50) =>
  z
    .string()
    .transform((value, ctx) => {
      const ids = [...new Set(value.split(",").map((v) => v.trim()))].filter((v) => v !== "");
      if (ids.length > max || ids.some((id) => id.length > 100)) {
        ctx.addIssue({ code: "custom", message: `at most ${max} ids of at most 100 characters` });
        return z.NEVER;
      }
      return ids;
    })
    .openapi({ type: "string", description: "Comma-separated ids" });
