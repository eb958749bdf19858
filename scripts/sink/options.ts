import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";

/** Where the sink listens when neither `--port` nor `SINK_PORT` says otherwise. */
export const DEFAULT_SINK_PORT = 8788;

/** How the sink runs, from its flags and environment. */
export interface SinkOptions {
  port: number;
  /** The destination's `whsec_…` secret: signatures are checked when it is set. */
  secret: string | undefined;
  /** Status of every answer. */
  status: number;
  /** Body of every answer, instead of the default for the path and status. */
  body: string | undefined;
  help: boolean;
}

export const sinkUsage = `Usage: npm run sink -- [--port ${DEFAULT_SINK_PORT}] [--secret whsec_...] [--status 200] [--body TEXT]

A local receiver for callrelay's webhook and Slack destinations, on 127.0.0.1. It prints every request and answers:
  /slack...   200 "ok" (text, like a Slack incoming webhook); another --status answers "internal_error"
  any other   200 {"ok":true}; another --status answers {"ok":false,...}

  --port     port to listen on (env SINK_PORT; default ${DEFAULT_SINK_PORT}; 0 picks a free one)
  --secret   the webhook destination's signing secret: each request is checked with standardwebhooks (env SINK_SECRET)
  --status   HTTP status of every answer, e.g. 500 to watch retries (env SINK_STATUS; default 200)
  --body     body of every answer instead of the default, e.g. --status 404 --body no_service (env SINK_BODY)`;

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Checks a signing secret the way standardwebhooks will read it; throws with the reason when it cannot. */
export function checkSecret(secret: string): void {
  if (!secret.startsWith("whsec_")) throw new Error("--secret must be the destination's whsec_... secret");
  try {
    new Webhook(secret);
  } catch (err) {
    throw new Error(`--secret is not a usable whsec_ secret: ${(err as Error).message}`);
  }
}

/** Reads flags first, then `SINK_*` variables, then defaults. Throws a one-line error for a bad value. */
export function parseSinkOptions(argv: readonly string[], env: Record<string, string | undefined>): SinkOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      secret: { type: "string" },
      status: { type: "string" },
      body: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port ?? env.SINK_PORT;
  const status = values.status ?? env.SINK_STATUS;
  const secret = (values.secret ?? env.SINK_SECRET)?.trim() || undefined;
  if (secret !== undefined) checkSecret(secret);
  return {
    port: port === undefined || port === "" ? DEFAULT_SINK_PORT : integer("--port", port, 0, 65535),
    secret,
    status: status === undefined || status === "" ? 200 : integer("--status", status, 200, 599),
    body: values.body ?? env.SINK_BODY,
    help: values.help === true,
  };
}
