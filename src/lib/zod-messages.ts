import { z } from "zod";

const sizeUnit: Record<string, string> = { string: " characters", array: " items", set: " items", file: " bytes" };

function bound(word: "most" | "least", limit: unknown, inclusive: boolean | undefined, origin: string) {
  const unit = sizeUnit[origin] ?? "";
  if (inclusive === false) return `must be ${word === "most" ? "less" : "more"} than ${String(limit)}${unit}`;
  return `must be at ${word} ${String(limit)}${unit}`;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/**
 * Plain wording for zod's issues ("required", "must be at most 200"), used for every request the API reads.
 * A schema's own message wins; issues not covered keep zod's.
 */
export function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "required" : `must be ${article(issue.expected)}`;
    case "too_big":
      return bound("most", issue.maximum, issue.inclusive, issue.origin);
    case "too_small":
      if (issue.origin === "string" && issue.minimum === 1) return "must not be empty";
      if (issue.origin === "array" && issue.minimum === 1) return "must not be empty";
      return bound("least", issue.minimum, issue.inclusive, issue.origin);
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return issue.format === "regex" ? "has the wrong format" : `must be a valid ${issue.format}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });
