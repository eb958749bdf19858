import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { timing } from "hono/timing";
import { handleError } from "../lib/error-handler";
import { AppError } from "../lib/errors";
import { isValidTimeZone } from "../lib/format-time";
import { callPages } from "./pages/calls";
import { campaignPages } from "./pages/campaigns";
import { deliveryPages } from "./pages/deliveries";
import { deliveryPage } from "./pages/delivery-page";
import { destinationActions } from "./pages/destination-actions";
import { destinationPages } from "./pages/destinations";
import { listPages } from "./pages/lists";
import { overviewPages } from "./pages/overview";
import { safeBack, signInPages } from "./pages/sign-in";
import { tailPages } from "./pages/tail";
import type { ConsoleEnv } from "./shell/env";
import { preferences } from "./shell/i18n";
import { layout } from "./shell/layout";
import { isLiveRequest } from "./shell/live";
import { currentActor } from "./shell/session";

/** Paths the console owns; its middleware runs only on them, so the API and push URL are untouched. */
const consolePaths = [
  "/",
  "/sign-in",
  "/sign-out",
  "/settings",
  "/sample-push",
  "/calls",
  "/calls.csv",
  "/calls/*",
  "/destinations",
  "/destinations/*",
  "/filters/preview",
  "/deliveries",
  "/deliveries/*",
  "/sources",
  "/sources/*",
  "/pushes",
  "/pushes/*",
  "/audit",
  "/campaigns",
  "/tail",
];

const PREF_MAX_AGE = 365 * 24 * 3600;

const withPreferences = createMiddleware<ConsoleEnv>(async (c, next) => {
  const { lang, timeZone, t } = preferences(c);
  c.set("lang", lang);
  c.set("timeZone", timeZone);
  c.set("t", t);
  const actor = await currentActor(c);
  if (actor) c.set("actor", actor);
  await next();
});

const requireSignIn = createMiddleware<ConsoleEnv>(async (c, next) => {
  const path = new URL(c.req.url).pathname;
  if (path === "/sign-in" || path === "/settings") return next();
  if (!c.var.actor) {
    // A form post, or a live page's refresh (its script stops and says so), is not sent to the sign-in page.
    if (c.req.method !== "GET" || isLiveRequest(c)) return c.text("Sign in first", 401);
    const back = `${path}${new URL(c.req.url).search}`;
    return c.redirect(`/sign-in?next=${encodeURIComponent(back)}`, 303);
  }
  await next();
});

/**
 * The browser console, server-rendered: CSP without inline script, CSRF checks (Origin) on every form post,
 * SameSite=Strict session cookies, and nothing but the Worker as a source of styles and script.
 */
export const consoleApp = new Hono<ConsoleEnv>();

for (const path of consolePaths) {
  consoleApp.use(
    path,
    // Server-Timing: total;dur=… on every console answer (what bench:console reads beside the round trip).
    timing({ crossOrigin: false }),
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: "same-origin",
    }),
    csrf(),
    withPreferences,
    requireSignIn,
    layout,
  );
}

consoleApp.onError((err, c) => {
  if (!(err instanceof AppError) || err.status >= 500 || !c.get("t")) return handleError(err, c);
  c.status(err.status);
  return c.render(
    <p class="field-error" role="alert">
      {err.message}
    </p>,
    { title: c.get("t")("error") },
  );
});

consoleApp.post("/settings", async (c) => {
  const form = await c.req.parseBody();
  const options = { path: "/", maxAge: PREF_MAX_AGE, sameSite: "Lax", secure: true } as const;
  if (form.lang === "en" || form.lang === "zh") setCookie(c, "lang", form.lang, options);
  if (typeof form.tz === "string" && isValidTimeZone(form.tz)) setCookie(c, "tz", form.tz, options);
  return c.redirect(safeBack(c, form.back), 303);
});
consoleApp.route("/", signInPages);
consoleApp.route("/", overviewPages);
consoleApp.route("/", callPages);
consoleApp.route("/", destinationPages);
consoleApp.route("/", destinationActions);
consoleApp.route("/", deliveryPages);
consoleApp.route("/", deliveryPage);
consoleApp.route("/", listPages);
consoleApp.route("/", campaignPages);
consoleApp.route("/", tailPages);
