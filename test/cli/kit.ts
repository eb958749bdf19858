import { exports } from "cloudflare:workers";
import { run } from "../../cli/run.mjs";
import { ADMIN_TOKEN, BASE } from "../support/worker";

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** The relay under test, as the CLI's environment names it; times in UTC. */
export const relayEnv = { CALLRELAY_URL: BASE, CALLRELAY_TOKEN: ADMIN_TOKEN, CALLRELAY_TIMEZONE: "UTC" };

/** Every request the CLI made. */
export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * Runs the CLI on `argv` against the real Worker (or `fetch`), with `env`, and returns its exit code,
 * what it printed, and the requests it made.
 */
export async function cli(
  argv: string[],
  {
    env = relayEnv,
    fetch,
    ask,
  }: { env?: Record<string, string | undefined>; fetch?: Fetch; ask?: (question: string) => Promise<boolean> } = {},
) {
  let stdout = "";
  let stderr = "";
  const sent: Sent[] = [];
  const send = fetch ?? ((url, init) => exports.default.fetch(url, init));
  const code = await run(argv, {
    fetch: (url, init) => {
      sent.push({
        method: init.method ?? "GET",
        url,
        headers: Object.fromEntries(new Headers(init.headers)),
        body: typeof init.body === "string" ? init.body : undefined,
      });
      return send(url, init);
    },
    env,
    stdout: { write: (text) => (stdout += text) },
    stderr: { write: (text) => (stderr += text) },
    ask,
  });
  return { code, stdout, stderr, sent };
}

/** The `--json` output of a successful run. */
export async function cliJson<T>(argv: string[]): Promise<T> {
  const { code, stdout, stderr } = await cli([...argv, "--json"]);
  if (code !== 0) throw new Error(`callrelay ${argv.join(" ")} exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as T;
}

/** The lines of a table, split into cells on runs of two or more spaces. */
export function tableRows(text: string): string[][] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => line.split(/ {2,}/));
}
