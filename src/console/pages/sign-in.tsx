import { Hono } from "hono";
import { getConfig } from "../../lib/config";
import { secretsEqual } from "../../lib/crypto";
import { ADMIN_TOKEN_ACTOR, failedSignIns, recordAudit } from "../../storage/audit-record";
import type { ConsoleEnv } from "../shell/env";
import { endSession, startSession } from "../shell/session";

/** Failed sign-ins from one address within this window slow it down, then lock it out. */
const FAILURE_WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 10;
const DELAY_PER_FAILURE_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A same-site path to return to after signing in; anything else goes to the overview. */
export function safeBack(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) ? value : "/";
}

function SignInForm({ next, message, t }: { next: string; message?: string; t: ConsoleEnv["Variables"]["t"] }) {
  return (
    <form method="post" action="/sign-in" class="card narrow">
      {message && (
        <p class="field-error" role="alert">
          {message}
        </p>
      )}
      <input type="hidden" name="next" value={next} />
      <label for="token">{t("adminToken")}</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required />
      <button type="submit">{t("signIn")}</button>
    </form>
  );
}

/** `/sign-in` and `/sign-out`: the admin token in a form, traded for a session cookie. */
export const signInPages = new Hono<ConsoleEnv>()
  .get("/sign-in", (c) => {
    const t = c.get("t");
    const message = getConfig(c.env).adminToken ? undefined : t("noAdminToken");
    return c.render(<SignInForm next={safeBack(c.req.query("next"))} message={message} t={t} />, {
      title: t("signIn"),
    });
  })
  .post("/sign-in", async (c) => {
    const t = c.get("t");
    const form = await c.req.parseBody();
    const next = safeBack(form.next);
    const { adminToken } = getConfig(c.env);
    if (!adminToken) {
      return c.render(<SignInForm next={next} message={t("noAdminToken")} t={t} />, { title: t("signIn") });
    }
    const ip = c.req.header("cf-connecting-ip") ?? "unknown";
    const now = Date.now();
    const failures = await failedSignIns(c.env.DB, ip, now - FAILURE_WINDOW_MS);
    if (failures >= MAX_FAILURES) {
      c.status(429);
      return c.render(<SignInForm next={next} message={t("tooManyFailures")} t={t} />, { title: t("signIn") });
    }
    const token = typeof form.token === "string" ? form.token : "";
    if (!(await secretsEqual(token, adminToken))) {
      await recordAudit(c.env.DB, { actor: ADMIN_TOKEN_ACTOR, action: "session.sign_in", outcome: "failed", ip }, now);
      await sleep(Math.min(failures + 1, MAX_FAILURES) * DELAY_PER_FAILURE_MS);
      return c.render(<SignInForm next={next} message={t("wrongToken")} t={t} />, { title: t("signIn") });
    }
    await startSession(c, adminToken, now);
    await recordAudit(c.env.DB, { actor: ADMIN_TOKEN_ACTOR, action: "session.sign_in", ip }, now);
    return c.redirect(next, 303);
  })
  .post("/sign-out", async (c) => {
    endSession(c);
    await recordAudit(c.env.DB, { actor: c.var.actor ?? ADMIN_TOKEN_ACTOR, action: "session.sign_out" });
    return c.redirect("/sign-in", 303);
  });
