import { createRemoteJWKSet, jwtVerify } from "jose";

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * The email in a valid `Cf-Access-Jwt-Assertion`: signed by one of the team's published keys
 * (`<team>/cdn-cgi/access/certs`), issued by the team, for the application's audience, not expired. Null otherwise.
 */
export async function accessEmail(assertion: string, access: { teamDomain: string; aud: string }) {
  let keys = keySets.get(access.teamDomain);
  if (!keys) {
    keys = createRemoteJWKSet(new URL("/cdn-cgi/access/certs", access.teamDomain));
    keySets.set(access.teamDomain, keys);
  }
  try {
    const { payload } = await jwtVerify(assertion, keys, { issuer: access.teamDomain, audience: access.aud });
    return typeof payload.email === "string" && payload.email !== "" ? payload.email : null;
  } catch {
    return null;
  }
}
