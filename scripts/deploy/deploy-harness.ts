// What the deploy tests share: `npm run deploy` run against a stub of the Cloudflare API, and the names it creates.
import { spawn } from "node:child_process";
import { ACCOUNT_ID, type CloudflareStub } from "./cloudflare-stub.ts";

/** Generous: each deploy starts wrangler several times, and CI shares its cores with the workerd tests. */
export const DEPLOY_TIMEOUT_MS = 600_000;
export const QUEUES = ["callrelay-ingest", "callrelay-deliveries", "callrelay-deliveries-slow"];
export const DLQS = ["callrelay-ingest-dlq", "callrelay-deliveries-dlq"];

/** Runs `npm run deploy` (its script, so npm's own output stays out) against `stub`; answers its exit code and output. */
export function deploy(stub: CloudflareStub, args: string[] = [], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const childEnv: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CLOUDFLARE_API_BASE_URL: stub.baseUrl,
      CLOUDFLARE_API_TOKEN: "test-api-token",
      CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
      ...env,
    };
    const child = spawn(process.execPath, ["scripts/deploy.mjs", "--no-doctor", ...args], {
      env: childEnv as NodeJS.ProcessEnv,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The resources `stub` was asked to create, sorted. */
export const creations = (stub: CloudflareStub) => stub.changes.filter((c) => c.startsWith("create ")).sort();
