import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { installReceiver } from "../support/receiver";
import { rows } from "../support/worker";
import { page } from "./kit";

const TEAM = "https://relay-test.cloudflareaccess.com";
const AUD = "test-access-aud";
let teamKey: CryptoKey;
let otherKey: CryptoKey;
let published: Record<string, unknown>;

beforeAll(async () => {
  const team = await generateKeyPair("RS256");
  teamKey = team.privateKey;
  otherKey = (await generateKeyPair("RS256")).privateKey;
  published = { ...(await exportJWK(team.publicKey)), kid: "team-key", alg: "RS256", use: "sig" };
});

/** The team's published keys, at the URL Access serves them from. */
beforeEach(() => {
  installReceiver().answer((request) =>
    request.url === `${TEAM}/cdn-cgi/access/certs`
      ? Response.json({ keys: [published] })
      : new Response("not found", { status: 404 }),
  );
});

afterEach(() => vi.unstubAllGlobals());

function assertion(claims: { email?: string; aud?: string; iss?: string; exp?: string }, key = teamKey) {
  return new SignJWT(claims.email === undefined ? {} : { email: claims.email })
    .setProtectedHeader({ alg: "RS256", kid: "team-key" })
    .setIssuer(claims.iss ?? TEAM)
    .setAudience(claims.aud ?? AUD)
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? "5m")
    .sign(key);
}

describe("Cloudflare Access", () => {
  it("signs a person in by the email of a valid Cf-Access-Jwt-Assertion, and audits their changes by it", async () => {
    const token = await assertion({ email: "ops@example.com" });
    const res = await page("/", { headers: { "cf-access-jwt-assertion": token } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Signed in as ops@example.com");
    const sample = await page("/sample-push", { form: {}, headers: { "cf-access-jwt-assertion": token } });
    expect(sample.status).toBe(303);
    const [entry] = await rows<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'pushes.sample' ORDER BY id DESC LIMIT 1",
    );
    expect(entry?.actor).toBe("ops@example.com");
  });

  it.each([
    ["another application's audience", { email: "a@example.com", aud: "other-aud" }, undefined],
    ["another issuer", { email: "a@example.com", iss: "https://evil.cloudflareaccess.com" }, undefined],
    ["an expired token", { email: "a@example.com", exp: "-1m" }, undefined],
    ["no email", {}, undefined],
    ["a key the team never published", { email: "a@example.com" }, "other"],
  ] as const)("refuses %s", async (_name, claims, key) => {
    const token = await assertion(claims, key === "other" ? otherKey : teamKey);
    const res = await page("/", { headers: { "cf-access-jwt-assertion": token } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/sign-in/);
  });

  it("refuses garbage in the header", async () => {
    const res = await page("/", { headers: { "cf-access-jwt-assertion": "not.a.jwt" } });
    expect(res.status).toBe(303);
  });
});
