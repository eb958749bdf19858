import { type Context, Hono } from "hono";
import { getConfig } from "../../lib/config";
import { SIGN_IN_RULE } from "../../lib/failure-throttle";
import { sameOriginPath } from "../../lib/same-origin-path";
import { ADMIN_TOKEN_ACTOR, recordAudit } from "../../storage/audit-record";
import { throttledCompare } from "../../storage/auth-throttle";
import { deleteAllSessions } from "../../storage/db/console-sessions";
import type { ConsoleEnv } from "../shell/env";
import { endSession, startSession } from "../shell/session";

/** Each failed sign-in in the window (SIGN_IN_RULE) slows the next answer down; past its limit, a lockout. */
const DELAY_PER_FAILURE_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A same-origin path to return to (after signing in, after saving settings); anything else goes to the overview. */
export const safeBack = (c: Context, value: unknown) => sameOriginPath(value, new URL(c.req.url).origin);

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

/**
 * `/sign-in` and `/sign-out`: the admin token in a form, traded for a session cookie; `scope=everywhere` on sign-out
 * ends every session.
 */
export const signInPages = new Hono<ConsoleEnv>()
  .get("/sign-in", (c) => {
    const t = c.get("t");
    const message = getConfig(c.env).adminToken ? undefined : t("noAdminToken");
    return c.render(<SignInForm next={safeBack(c, c.req.query("next"))} message={message} t={t} />, {
      title: t("signIn"),
    });
  })
  .post("/sign-in", async (c) => {
    const t = c.get("t");
    const form = await c.req.parseBody();
    const next = safeBack(c, form.next);
    const { adminToken } = getConfig(c.env);
    if (!adminToken) {
      return c.render(<SignInForm next={next} message={t("noAdminToken")} t={t} />, { title: t("signIn") });
    }
    const ip = c.req.header("cf-connecting-ip") ?? "unknown";
    const now = Date.now();
    const token = typeof form.token === "string" ? form.token : "";
    const { outcome, failures } = await throttledCompare(
      c.env.AUTH_THROTTLE,
      "sign-in",
      ip,
      token,
      adminToken,
      SIGN_IN_RULE,
    );
    if (outcome === "locked") {
      c.status(429);
      return c.render(<SignInForm next={next} message={t("tooManyFailures")} t={t} />, { title: t("signIn") });
    }
    if (outcome === "wrong") {
      await recordAudit(c.env.DB, { actor: ADMIN_TOKEN_ACTOR, action: "session.sign_in", outcome: "failed", ip }, now);
      await sleep(failures * DELAY_PER_FAILURE_MS);
      return c.render(<SignInForm next={next} message={t("wrongToken")} t={t} />, { title: t("signIn") });
    }
    await startSession(c, adminToken, now);
    await recordAudit(c.env.DB, { actor: ADMIN_TOKEN_ACTOR, action: "session.sign_in", ip }, now);
    return c.redirect(next, 303);
  })
  .post("/sign-out", async (c) => {
    const form = await c.req.parseBody();
    const everywhere = form.scope === "everywhere";
    if (everywhere) await deleteAllSessions(c.env.DB, Date.now());
    await endSession(c);
    const action = everywhere ? "session.sign_out_everywhere" : "session.sign_out";
    await recordAudit(c.env.DB, { actor: c.var.actor ?? ADMIN_TOKEN_ACTOR, action });
    return c.redirect("/sign-in", 303);
  });
