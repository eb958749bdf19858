import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { AppError } from "./errors";
import "./zod-messages";

/** One problem with a request field, as the API reports it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Zod issues as `{path, message}` pairs, paths written `config.url` or `sourceIds[2]`. */
export function fieldIssues(error: z.core.$ZodError, prefix: PropertyKey[] = []): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: formatPath([...prefix, ...issue.path, key]), message: "unknown field" }))
      : [{ path: formatPath([...prefix, ...issue.path]), message: issue.message }],
  );
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`;
    return out === "" ? String(key) : `${out}.${String(key)}`;
  }, "");
}

/** A 400 `validation_failed` naming every bad field. */
export function validationError(issues: FieldIssue[]): AppError {
  const first = issues[0];
  const message = first ? `Invalid request: ${first.path || "body"}: ${first.message}` : "Invalid request";
  return new AppError("validation_failed", message, issues);
}

/** The admin API's zod-openapi hook: every validation failure becomes the one error shape. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw validationError(fieldIssues(result.error));
};
