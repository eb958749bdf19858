import { jsxRenderer } from "hono/jsx-renderer";
import { tokenWarnings } from "../../lib/secret-token.js";
import type { ConsoleEnv } from "./env";
import { languages } from "./i18n";

declare module "hono" {
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: module augmentation needs the interface form
    (content: string | Promise<string>, props: { title: string }): Response | Promise<Response>;
  }
}

const zones = [
  "Asia/Shanghai",
  "Asia/Hong_Kong",
  "Asia/Singapore",
  "Asia/Tokyo",
  "Europe/London",
  "America/New_York",
  "UTC",
];

const nav = [
  ["/", "overview"],
  ["/calls", "calls"],
  ["/destinations", "destinations"],
  ["/deliveries", "deliveries"],
  ["/tail", "tail"],
  ["/sources", "sources"],
  ["/pushes", "pushes"],
  ["/audit", "audit"],
  ["/campaigns", "campaigns"],
] as const;

/** The page frame: navigation, language and time-zone switch, sign-out; stylesheet and script from the Worker. */
export const layout = jsxRenderer<ConsoleEnv>(({ children, title }, c) => {
  const t = c.get("t");
  const actor = c.var.actor as string | undefined;
  const path = new URL(c.req.url).pathname;
  const here = `${path}${new URL(c.req.url).search}`;
  const zoneChoices = zones.includes(c.get("timeZone")) ? zones : [c.get("timeZone"), ...zones];
  return (
    <html lang={c.get("lang") === "zh" ? "zh-CN" : "en"}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t("title")}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/console.css" />
        <script src="/console/console.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          {t("skip")}
        </a>
        <header>
          <strong class="brand">callrelay</strong>
          {actor && (
            <nav aria-label="Main">
              {nav.map(([href, key]) => (
                <a
                  href={href}
                  aria-current={(href === "/" ? path === "/" : path.startsWith(href)) ? "page" : undefined}
                >
                  {t(key)}
                </a>
              ))}
            </nav>
          )}
          <form method="post" action="/settings" class="settings">
            <input type="hidden" name="back" value={here} />
            <label>
              {t("language")}{" "}
              <select name="lang">
                {Object.entries(languages).map(([code, name]) => (
                  <option value={code} selected={code === c.get("lang")}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("timezone")}{" "}
              <select name="tz">
                {zoneChoices.map((zone) => (
                  <option value={zone} selected={zone === c.get("timeZone")}>
                    {zone}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">{t("apply")}</button>
          </form>
          {actor && (
            <form method="post" action="/sign-out" class="sign-out">
              <span>
                {t("signedInAs")} {actor}
              </span>{" "}
              <button type="submit">{t("signOut")}</button>{" "}
              <button type="submit" name="scope" value="everywhere">
                {t("signOutEverywhere")}
              </button>
            </form>
          )}
        </header>
        <main id="main">
          {actor &&
            tokenWarnings(c.env).map((warning) => (
              <p class="banner warning" role="alert">
                {warning}
              </p>
            ))}
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
});
