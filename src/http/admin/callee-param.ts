import { z } from "@hono/zod-openapi";
import { calleeSearchKey } from "../../storage/db/derived-columns";

/**
 * `callee`: a phone number or its last 4 or more digits, `+`, spaces, dashes and brackets ignored; read as
 * the reversed digits that prefix the stored `callee_key`.
 */
export const calleeParam = z
  .string()
  .transform((value, ctx) => {
    const key = calleeSearchKey(value);
    if (/^\d{4,32}$/.test(key)) return key;
    ctx.addIssue({ code: "custom", message: "expected a phone number or its last 4 or more digits" });
    return z.NEVER;
  })
  .openapi({ type: "string", example: "+86 138 0000 0003", description: "Whole number or its last 4+ digits" });
