// A deployment left with the `.dev.vars.example` placeholders (the Deploy to Cloudflare button's form, or a copied
// file) must open nothing (scripts/dev/args.test.ts checks the example's tokens are placeholders): every use of a placeholder token is refused, with an error that says why.

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import sample from "../fixtures/sample-push.json";
import { BASE } from "../support/worker";

const ADMIN_PLACEHOLDER = "replace-me-with-a-random-admin-token";
const PUSH_PLACEHOLDER = "replace-me-with-a-random-push-token";
// Without Access, so the console's own sign-in is what is tried.
const placeholders = {
  ...env,
  ADMIN_TOKEN: ADMIN_PLACEHOLDER,
  PUSH_TOKEN: PUSH_PLACEHOLDER,
  ACCESS_TEAM_DOMAIN: "",
} as Env;

async function call(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), placeholders, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("placeholder tokens", () => {
  it("open no admin API, saying the token is a placeholder", async () => {
    const res = await call("/api/v1/destinations", { headers: { authorization: `Bearer ${ADMIN_PLACEHOLDER}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        code: "unauthorized",
        message:
          "The admin API is disabled: ADMIN_TOKEN is still the placeholder from .dev.vars.example; set a random one (npx wrangler secret put ADMIN_TOKEN)",
      },
    });
  });

  it("take no push", async () => {
    const res = await call(`/push/${PUSH_PLACEHOLDER}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sample),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("placeholder");
  });

  it("sign nobody into the console", async () => {
    const res = await call("/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
      body: new URLSearchParams({ token: ADMIN_PLACEHOLDER }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie") ?? "").not.toContain("callrelay_session");
    expect(await res.text()).toContain("Sign-in is disabled");
  });

  it("show in /health's warnings", async () => {
    const health = (await (await call("/health")).json()) as { warnings: string[] };
    expect(health.warnings).toEqual([
      "ADMIN_TOKEN is still the placeholder from .dev.vars.example and is refused: set a random one (openssl rand -hex 32)",
      "PUSH_TOKEN is still the placeholder from .dev.vars.example and is refused: set a random one (openssl rand -hex 32)",
    ]);
  });
});
