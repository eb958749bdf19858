import { describe, expect, it } from "vitest";
import { admin, rows } from "../support/worker";
import { page, sessionCookie, signIn } from "./kit";

describe("console sign-in", () => {
  it("sends a visitor without a session to the sign-in form, keeping where they were going", async () => {
    const res = await page("/calls?taskId=7");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent("/calls?taskId=7")}`);
    const form = await page("/sign-in");
    const html = await form.text();
    expect(html).toContain('type="password"');
    expect(html).not.toContain("test-admin-token");
  });

  it("refuses a wrong token with a clear message, records it, and slows repeated failures", async () => {
    const ip = "192.0.2.10";
    const started = Date.now();
    const res = await page("/sign-in", { form: { token: "nope" }, headers: { "cf-connecting-ip": ip } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("That is not the admin token");
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("callrelay_session="))).toBe(false);
    const logged = await rows("SELECT * FROM audit_log WHERE ip = ? AND action = 'session.sign_in'", ip);
    expect(logged).toMatchObject([{ outcome: "failed", actor: "admin token" }]);
  });

  it("locks an address out after 10 failures in 15 minutes, even with the right token, however parallel", async () => {
    const ip = "192.0.2.11";
    const attempts = await Promise.all(
      Array.from({ length: 16 }, () =>
        page("/sign-in", { form: { token: "nope" }, headers: { "cf-connecting-ip": ip } }),
      ),
    );
    const statuses = attempts.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    const res = await page("/sign-in", { form: { token: "test-admin-token" }, headers: { "cf-connecting-ip": ip } });
    expect(res.status).toBe(429);
    expect(await res.text()).toContain("Too many failed sign-ins");
    const other = await page("/sign-in", {
      form: { token: "test-admin-token" },
      headers: { "cf-connecting-ip": "192.0.2.12" },
    });
    expect(other.status).toBe(303);
  });

  it("sets a signed, HttpOnly, Secure, SameSite=Strict cookie for 12 hours, renewed on sign-in", async () => {
    const res = await page("/sign-in", { form: { token: "test-admin-token", next: "/audit" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/audit");
    const set = res.headers.getSetCookie().find((c) => c.startsWith("callrelay_session=")) ?? "";
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/Secure/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Max-Age=43200/i);
    expect(set).not.toContain("test-admin-token");
    const ok = await page("/", { cookie: sessionCookie(res) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Signed in as admin token");
  });

  it.each(["//evil.example/x", "/\t/evil.example", "/\\evil.example", "/.//evil.example", "https://evil.example/"])(
    "never follows a sign-in to another site (next=%j)",
    async (next) => {
      const res = await page("/sign-in", { form: { token: "test-admin-token", next } });
      expect(res.status).toBe(303);
      expect(new URL(res.headers.get("location") ?? "", "https://relay.test/sign-in").origin).toBe(
        "https://relay.test",
      );
    },
  );

  it("never follows a sign-in to another site from the query (next=/%09/evil.example)", async () => {
    const form = await page(`/sign-in?next=${"/%09/evil.example"}`);
    const next = /name="next" value="([^"]*)"/.exec(await form.text())?.[1] ?? "";
    const res = await page("/sign-in", { form: { token: "test-admin-token", next } });
    expect(new URL(res.headers.get("location") ?? "", "https://relay.test/sign-in").origin).toBe("https://relay.test");
  });

  it("refuses a tampered or forged cookie", async () => {
    const cookie = await signIn();
    const [name, value] = cookie.split("=") as [string, string];
    const decoded = decodeURIComponent(value);
    const forged = `${name}=${encodeURIComponent(`${Number(decoded.split(".")[0]) + 1e9}.${decoded.split(".").slice(1).join(".")}`)}`;
    expect((await page("/", { cookie: forged })).status).toBe(303);
    expect((await page("/", { cookie: `${name}=9999999999999.AAAA` })).status).toBe(303);
  });

  it("clears the cookie on sign-out", async () => {
    const cookie = await signIn();
    const res = await page("/sign-out", { method: "POST", cookie, form: {} });
    expect(res.status).toBe(303);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith("callrelay_session="));
    expect(cleared).toMatch(/Max-Age=0/i);
  });

  it("ends the session on sign-out: a copy of its cookie stops working, other sessions go on", async () => {
    const cookie = await signIn();
    const other = await signIn();
    expect((await page("/", { cookie })).status).toBe(200);
    expect((await page("/sign-out", { method: "POST", cookie, form: {} })).status).toBe(303);
    expect((await page("/", { cookie })).status).toBe(303);
    expect((await page("/", { cookie: other })).status).toBe(200);
  });

  it("signs out everywhere from the console: every session ends", async () => {
    const cookie = await signIn();
    const other = await signIn();
    expect(await (await page("/", { cookie })).text()).toContain('name="scope" value="everywhere"');
    const res = await page("/sign-out", { method: "POST", cookie, form: { scope: "everywhere" } });
    expect(res.status).toBe(303);
    expect((await page("/", { cookie })).status).toBe(303);
    expect((await page("/", { cookie: other })).status).toBe(303);
    const [audit] = await rows("SELECT actor FROM audit_log WHERE action = 'session.sign_out_everywhere'");
    expect(audit).toMatchObject({ actor: "admin token" });
  });

  it("signs out everywhere through the admin API (DELETE /api/v1/sessions)", async () => {
    const cookies = [await signIn(), await signIn()];
    const res = await admin("/sessions", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await res.json<{ ended: number }>()).ended).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) expect((await page("/", { cookie })).status).toBe(303);
    expect((await page("/", { cookie: await signIn() })).status).toBe(200);
  });

  it("shows a banner about short tokens to whoever is signed in, never the tokens", async () => {
    const html = await (await page("/", { cookie: await signIn() })).text();
    expect(html).toMatch(/class="banner warning" role="alert">ADMIN_TOKEN is 16 characters long: use 32 or more/);
    expect(html).not.toContain("test-admin-token");
    expect(await (await page("/sign-in")).text()).not.toContain("ADMIN_TOKEN is");
  });

  it("stores no usable cookie: only the session secret's SHA-256", async () => {
    const cookie = await signIn();
    const secret = decodeURIComponent(cookie.split("=")[1] ?? "").split(".")[0] ?? "";
    const stored = await rows<{ id: string }>("SELECT id FROM console_sessions");
    expect(stored.some((s) => s.id.includes(secret))).toBe(false);
    expect(stored.every((s) => /^[0-9a-f]{64}$/.test(s.id))).toBe(true);
  });

  it("refuses a cross-site form post (CSRF) even with a valid session", async () => {
    const cookie = await signIn();
    const res = await page("/sample-push", { cookie, form: {}, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });

  it("serves pages with a CSP that allows no inline script and no other origin", async () => {
    const res = await page("/sign-in");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).not.toMatch(/<script>(?!<\/script>)/);
  });

  it("leaves the API and push URL alone: no redirects, no CSRF check", async () => {
    const res = await page("/api/v1/destinations");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
  });
});
