import { z } from "zod";
import { type Filter, findFilterProblems } from "../../model/filters/validate";

/**
 * A filter in API input: accepts what {@link validateFilter} accepts, with one issue per problem at its path
 * (as segments, e.g. `["intentCode", "$in", 1]`). Outputs the input object itself.
 */
export const filterSchema: z.ZodType<Filter> = z
  .unknown()
  .transform((input, ctx) => {
    const problems = findFilterProblems(input);
    if (problems.length === 0) return input as Filter;
    for (const { path, message } of problems) ctx.addIssue({ code: "custom", path, message, input });
    return z.NEVER;
  })
  .meta({
    type: "object",
    description:
      "Which calls to forward: conditions on call fields (see the README's Filters section). `{}` matches every call.",
    example: { connected: true, intentCode: { $in: ["302", "303"] }, callDuration: { $gte: 10 } },
  });

/** A filter given as JSON text in a query string (at most 4,000 characters), validated as {@link filterSchema}. */
export const filterJsonParam = z
  .string()
  .max(4000)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `is not JSON: ${(err as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(filterSchema);
