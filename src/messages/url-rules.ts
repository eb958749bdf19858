import { z } from "zod";
import type { ConfigContext } from "./types";

const maxUrlLength = 2048;
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether a URL's `hostname` is a loopback host: `localhost`, `127.0.0.1` or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname);
}

type UrlRule = (url: URL) => string | undefined;

function urlProblem(value: string, ctx: ConfigContext, rule: UrlRule | undefined): string | undefined {
  const url = URL.parse(value);
  if (!url) return "must be an absolute URL, e.g. https://example.com/hook";
  if (url.username || url.password) return "must not contain credentials (user:password@)";
  if (url.protocol === "http:") {
    if (!ctx.allowHttp) return "must use https (plain http is off in this deployment)";
    if (!isLoopbackHost(url.hostname)) {
      return "must use https (plain http is allowed only to localhost, 127.0.0.1 or [::1])";
    }
  } else if (url.protocol !== "https:") {
    return "must use https";
  }
  return rule?.(url);
}

/**
 * A destination URL: absolute, `https` (plain `http` only to a loopback host when `ctx.allowHttp`), without
 * credentials. `rule` adds a type's own check, returning the problem or `undefined`. Outputs the normalized URL.
 */
export function destinationUrlSchema(ctx: ConfigContext, rule?: UrlRule) {
  return z
    .string({ error: "must be a URL string" })
    .trim()
    .max(maxUrlLength, `must be at most ${maxUrlLength} characters`)
    .transform((value, issue) => {
      const problem = urlProblem(value, ctx, rule);
      if (problem === undefined) return new URL(value).href;
      issue.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    });
}

/** A URL as shown in API reads: scheme and host only, e.g. `https://hooks.slack.com/…`. */
export function maskUrl(value: string): string {
  const url = URL.parse(value);
  return url?.host ? `${url.protocol}//${url.host}/…` : "…";
}
