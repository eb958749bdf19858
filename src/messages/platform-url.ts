import type { ConfigContext } from "./types";
import { destinationUrlSchema, isLoopbackHost } from "./url-rules";

/**
 * A chat platform's hook URL: the usual URL rules, then `accepts(url)`, or any loopback receiver when plain http
 * is allowed (local dev). `expected` names what is accepted, for the error: `a Slack incoming-webhook URL: …`.
 */
export function platformUrl(ctx: ConfigContext, accepts: (url: URL) => boolean, expected: string) {
  return destinationUrlSchema(ctx, (url) =>
    accepts(url) || (ctx.allowHttp && isLoopbackHost(url.hostname)) ? undefined : `must be ${expected}`,
  );
}
