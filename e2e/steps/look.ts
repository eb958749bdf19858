// The console's look in a real browser: axe on every page (en and zh, light and dark), no sideways scroll at 375 px,
// screenshots of every page into docs/console/; filters that survive a reload and back; bulk retry's count and
// progress; clearing a destination's setting. Called from one line of e2e/console.e2e.ts.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { recordFactory } from "../../bench/lib/records.ts";
import { ROOT } from "../../bench/lib/wrangler.ts";
import { startSink } from "../../scripts/sink/server.ts";

type Lang = "en" | "zh";
type Scheme = "light" | "dark";

/** What the look steps need from the runner. */
export interface LookDeps {
  page: Page;
  browser: Browser;
  baseUrl: string;
  adminToken: string;
  pushToken: string;
  shots: string;
  step: (name: string, work: () => Promise<void>) => Promise<void>;
  expect: (condition: boolean, message: string) => void;
}

const WIDTHS = { desktop: { width: 1024, height: 600 }, "375": { width: 375, height: 667 } } as const;
const SCHEMES: readonly Scheme[] = ["light", "dark"];
const LANGS: readonly Lang[] = ["en", "zh"];
/** axe impacts that fail the run. */
const BLOCKING = new Set(["serious", "critical"]);
/** Seconds spent per kind of work in the page loop, printed at its end (the e2e has a time budget). */
const spent = { load: 0, axe: 0, width: 0, shots: 0 };
async function timed<T>(kind: keyof typeof spent, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    spent[kind] += (performance.now() - started) / 1000;
  }
}

/** Writes `bytes` to `path` unless the file already holds exactly them (so an unchanged shot is no change). */
async function writeIfChanged(path: string, bytes: Buffer) {
  const old = await readFile(path).catch(() => null);
  if (old === null || !old.equals(bytes)) await writeFile(path, bytes);
}

/**
 * Screenshots of the page as it is now, at desktop width and at 375 px, light and dark, named
 * `<name>-<width>-<scheme>.png`: viewport-high shots, so the files stay small. Leaves the page at desktop, light.
 */
export async function shootAll(page: Page, dir: string, name: string) {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [label, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      const shot = await page.screenshot({ animations: "disabled", caret: "hide" });
      await writeIfChanged(join(dir, `${name}-${label}-${scheme}.png`), shot);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(WIDTHS.desktop);
}

/** One page's result in one language and colour scheme. */
interface PageResult {
  page: string;
  path: string;
  lang: Lang;
  scheme: Scheme;
  blocking: { id: string; impact: string; help: string; targets: string[] }[];
  /** The moderate and minor ones, as `rule (impact)`. */
  others: string[];
  scrollWidth375: number;
}

/**
 * The axe rules whose outcome can differ in dark mode: the stylesheet's dark block changes colour tokens only
 * (test/console/stylesheet.node.test.ts holds it to that), so the dark pass runs just these.
 */
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

/**
 * What axe found on the page as it is now (every rule, or only `rules`): the serious and critical violations in
 * full, the others by rule.
 */
async function audit(page: Page, rules?: string[]) {
  // Legacy mode runs axe.run in the page itself; the default also opens a blank page per run to merge the frames'
  // results, which doubles the time, and the console has no frames.
  const builder = new AxeBuilder({ page }).setLegacyMode();
  const { violations } = await (rules ? builder.withRules(rules) : builder).analyze();
  const blocking = violations
    .filter((v) => BLOCKING.has(v.impact ?? ""))
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  const others = violations.filter((v) => !BLOCKING.has(v.impact ?? "")).map((v) => `${v.id} (${v.impact})`);
  return { blocking, others };
}

/** How wide the document is at 375 px (it must not be wider than the viewport). */
async function widthAt375(page: Page) {
  await page.setViewportSize(WIDTHS["375"]);
  const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
  await page.setViewportSize(WIDTHS.desktop);
  return width;
}

/** A page to look at: its name in the report and the screenshots' file names, and its path. */
type Looked = { name: string; path: string };

/** The first link on `path` whose href matches `pattern`, or null when the page has none. */
async function firstLink(page: Page, path: string, pattern: RegExp): Promise<string | null> {
  await page.goto(path);
  const hrefs = await page.locator("main a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  return hrefs.find((h): h is string => h !== null && pattern.test(h)) ?? null;
}

/**
 * Every page to look at, by name: the navigation's pages (so pages added to it are covered too), the forms (new
 * destination, the bulk retry's count) and the first of each kind of detail page the lists link to.
 */
async function pagesToLook(page: Page): Promise<{ pages: Looked[]; missing: string[]; absent: string[] }> {
  await page.goto("/");
  const nav = await page
    .locator("header nav a[href]")
    .evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? "/"));
  const named = (path: string) => (path === "/" ? "overview" : path.slice(1).replace(/[/?=&]+/g, "-"));
  const pages: Looked[] = nav.map((path) => ({ name: named(path), path }));
  pages.push({ name: "destination-new", path: "/destinations/new" }, { name: "bulk-retry", path: "/deliveries/retry" });
  const missing: string[] = [];
  const absent: string[] = [];
  // A delivery's own page is looked at once the deliveries list links to one.
  for (const [name, list, pattern, required] of [
    ["call", "/calls", /^\/calls\/[^/]+\/[^/]+$/, true],
    ["destination", "/destinations", /^\/destinations\/dst_[^/?]+$/, true],
    ["push", "/pushes", /^\/pushes\/[^/?]+$/, true],
    ["delivery", "/deliveries", /^\/deliveries\/(?!retry)[^/?]+$/, false],
  ] as const) {
    const href = await firstLink(page, list, pattern);
    if (href !== null) pages.push({ name, path: href });
    else (required ? missing : absent).push(`${name} (no link on ${list})`);
  }
  return { pages, missing, absent };
}

async function api(deps: LookDeps, method: string, path: string, body?: unknown) {
  const res = await fetch(`${deps.baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${deps.adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Polls `check` (a server-side condition) every 250 ms until it holds, or fails after `timeoutMs` naming `what`. */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The look steps: run after the runner's own steps have made calls, destinations and deliveries to show. */
export async function lookSteps(deps: LookDeps) {
  const { page, step, expect } = deps;

  await step("a filtered deliveries URL survives a reload and going back", async () => {
    await page.goto("/deliveries");
    const form = page.locator("form.filters");
    await form.getByRole("group", { name: "Status" }).getByLabel("delivered").check();
    await form.getByRole("group", { name: "Last HTTP status" }).getByLabel("2xx").check();
    await form.locator("select[name=destination]").selectOption({ label: "Webhook e2e" });
    await form.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/deliveries\?.*status=delivered/);
    const filtered = page.url();
    for (const part of ["status=delivered", "http=2xx", "destination=dst_"]) {
      expect(filtered.includes(part), `the URL lacks ${part}: ${filtered}`);
    }
    const shown = async () => {
      const rows = page.locator("main table tbody tr");
      const statuses = await rows.locator(".badge").allTextContents();
      expect(statuses.length > 0, "the filter shows no delivery");
      expect(
        statuses.every((s) => s === "delivered"),
        `the filter shows other statuses: ${statuses.join(", ")}`,
      );
      expect(await form.getByLabel("delivered").isChecked(), "the status box is not ticked");
      expect(await form.getByLabel("2xx").isChecked(), "the 2xx box is not ticked");
      return statuses.length;
    };
    const before = await shown();
    await page.reload();
    expect(page.url() === filtered, `the reload changed the URL to ${page.url()}`);
    expect((await shown()) === before, "the reload shows other deliveries");
    await page.locator("main table tbody tr a[href^='/calls/']").first().click();
    await page.waitForURL(/\/calls\//);
    await page.goBack();
    await page.waitForURL(filtered);
    expect((await shown()) === before, "going back shows other deliveries");
  });

  await step("a filtered calls URL survives a reload and going back", async () => {
    await page.goto("/calls");
    const phone = page.locator("form.search input[name=phone]");
    const connected = page.locator("form.search select[name=connected]");
    await phone.fill("0007");
    await connected.selectOption("yes");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/phone=0007.*connected=yes|connected=yes.*phone=0007/);
    const filtered = page.url();
    const kept = async () => {
      expect((await phone.inputValue()) === "0007", "the phone box lost its value");
      expect((await connected.inputValue()) === "yes", "connected lost its value");
      return page.locator("main table tbody tr").count();
    };
    const rows = await kept();
    expect(rows > 0, "the search shows no call");
    await page.reload();
    expect((await kept()) === rows && page.url() === filtered, "the reload lost the search");
    await page.locator("main table tbody tr a").first().click();
    await page.getByRole("heading", { name: "Record as received" }).waitFor();
    await page.goBack();
    await page.waitForURL(filtered);
    expect((await kept()) === rows, "going back lost the search");
  });

  await step("bulk retry says how many deliveries will be sent again, then shows its progress", async () => {
    const failing = await startSink({ port: 0, status: 500 });
    const taskId = 7_770_001;
    try {
      const created = await api(deps, "POST", "/destinations", {
        name: "Failing e2e",
        type: "webhook",
        config: { url: `${failing.url}/hook/failing` },
        filter: { taskId },
      });
      const id = String(created.id);
      const next = recordFactory({ seed: 19, tag: "777001" });
      const records = [next(), next(), next()].map((r) => ({ ...r, taskId }));
      const pushed = await fetch(`${deps.baseUrl}/push/${deps.pushToken}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ array: records }),
      });
      expect(pushed.status === 200, `push answered ${pushed.status}`);
      // Two quick retries (0 s, 5 s), then a 5-minute wait: the three are retrying and none is in flight.
      await until("three deliveries retrying after three attempts each", 60_000, async () => {
        const { data } = (await api(deps, "GET", `/deliveries?destinationId=${id}`)) as {
          data: { status: string; attempts: number }[];
        };
        return data.length === 3 && data.every((d) => d.status === "retrying" && d.attempts >= 3) ? data : undefined;
      });
      await page.goto(`/deliveries?status=retrying&destination=${id}`);
      await page.getByRole("link", { name: /this filter shows/ }).click();
      await page.getByText("3 deliveries will be sent again.").waitFor();
      await page.getByRole("button", { name: "Send them again" }).click();
      await page.locator("[data-retry-complete='true']").waitFor();
      const done = (await page.locator("[data-retry-complete]").textContent()) ?? "";
      expect(done.includes("Sent again: 3 of 3."), `progress says ${done}`);
      const bar = page.getByRole("progressbar", { name: "Bulk retry" });
      expect(
        (await bar.getAttribute("value")) === "3" && (await bar.getAttribute("max")) === "3",
        "the progress bar is not full",
      );
      // Nothing left retrying against a receiver that is about to go.
      await api(deps, "PATCH", `/destinations/${id}`, { enabled: false });
    } finally {
      await failing.close();
    }
  });

  await step("clearing a destination's setting in the edit form saves it as cleared", async () => {
    await page.goto("/destinations");
    await page.getByRole("link", { name: "Webhook e2e" }).click();
    await page.waitForURL(/\/destinations\/dst_/);
    const id = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    const edit = page.locator("form#edit");
    const silence = edit.locator("#options-silentMinutes");
    // The page after a save shows the setting as its labelled field: wait for the value, not for a fixed time.
    const shows = (text: string) =>
      page.locator('[data-setting="silentMinutes"] dd').filter({ hasText: new RegExp(`^${text}$`) });
    await silence.fill("45");
    await edit.locator("#config-headers").fill('{"x-team":"ops"}');
    await edit.getByRole("button", { name: "Save" }).click();
    await shows("45").waitFor({ timeout: 15_000 });
    const set = (await api(deps, "GET", `/destinations/${id}`)) as {
      options: Record<string, unknown>;
      config: Record<string, unknown>;
    };
    expect(set.options.silentMinutes === 45, `options: ${JSON.stringify(set.options)}`);
    expect(set.config.headers !== undefined, `config: ${JSON.stringify(set.config)}`);

    await silence.fill("");
    await edit.locator("#config-headers-clear").check();
    await edit.getByRole("button", { name: "Save" }).click();
    await shows("—").waitFor({ timeout: 15_000 });
    expect((await silence.inputValue()) === "", "the cleared box is not blank");
    expect((await edit.locator("#config-headers-clear").count()) === 0, "headers still offer to be cleared");
    const cleared = (await api(deps, "GET", `/destinations/${id}`)) as typeof set;
    expect(!("silentMinutes" in cleared.options), `options after clearing: ${JSON.stringify(cleared.options)}`);
    expect(!("headers" in cleared.config), `config after clearing: ${JSON.stringify(cleared.config)}`);
  });

  await step(
    "the checks can fail: axe sees planted low-contrast text, the width check a planted 600 px box",
    async () => {
      await page.goto("/");
      await page.evaluate(`(() => {
      const text = document.createElement("p");
      text.id = "look-canary";
      text.textContent = "planted low-contrast text";
      text.style.color = "#777";
      text.style.background = "#888";
      const box = document.createElement("div");
      box.style.width = "600px";
      box.style.height = "1px";
      document.querySelector("main").append(text, box);
    })()`);
      const found = await audit(page);
      expect(
        found.blocking.some((v) => v.id === "color-contrast" && v.targets.some((t) => t.includes("look-canary"))),
        `axe missed the planted text: ${JSON.stringify(found.blocking)}`,
      );
      const width = await widthAt375(page);
      expect(width > WIDTHS["375"].width, `the planted box left the page ${width} px wide`);
    },
  );

  const results: PageResult[] = [];
  const { pages, missing, absent } = await pagesToLook(page);
  if (absent.length > 0) console.log(`    not linked from the lists, so not looked at: ${absent.join(", ")}`);
  const signedOut = await deps.browser.newContext({ baseURL: deps.baseUrl });
  try {
    const visitors = { "signed in": page, "signed out": await signedOut.newPage() };
    const all: (Looked & { visitor: Page })[] = [
      ...pages.map((looked) => ({ ...looked, visitor: visitors["signed in"] })),
      { name: "sign-in", path: "/sign-in", visitor: visitors["signed out"] },
    ];
    for (const { name, path, visitor } of all) {
      await step(`${name} (${path}): axe in en and zh, light and dark; fits 375 px; screenshots`, async () => {
        const problems: string[] = [];
        for (const lang of LANGS) {
          await visitor.context().addCookies([{ name: "lang", value: lang, url: deps.baseUrl }]);
          await timed("load", () => visitor.goto(path));
          const htmlLang = await visitor.locator("html").getAttribute("lang");
          if (htmlLang !== (lang === "zh" ? "zh-CN" : "en")) problems.push(`${lang}: the page is in ${htmlLang}`);
          // The layout is the same in both colour schemes: one width check per language.
          const scrollWidth375 = await timed("width", () => widthAt375(visitor));
          if (scrollWidth375 > WIDTHS["375"].width) problems.push(`${lang}: ${scrollWidth375} px wide at 375 px`);
          for (const scheme of SCHEMES) {
            await visitor.emulateMedia({ colorScheme: scheme });
            const found = await timed("axe", () => audit(visitor, scheme === "dark" ? COLOUR_RULES : undefined));
            results.push({ page: name, path, lang, scheme, ...found, scrollWidth375 });
            console.log(
              `    axe ${name} ${lang} ${scheme}${scheme === "dark" ? " (colour rules)" : ""}: ` +
                `${found.blocking.length} serious/critical, ` +
                `${found.others.length} other${found.others.length ? ` (${found.others.join(", ")})` : ""}; ` +
                `375 px: ${scrollWidth375} px wide`,
            );
            for (const v of found.blocking) {
              problems.push(`${lang} ${scheme}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(" | ")}`);
            }
          }
          await timed("shots", () => shootAll(visitor, deps.shots, `${name}-${lang}`));
        }
        expect(problems.length === 0, problems.join("\n"));
      });
    }
  } finally {
    await signedOut.close();
    await page.context().addCookies([{ name: "lang", value: "en", url: deps.baseUrl }]);
    await page.emulateMedia({ colorScheme: "light" });
  }
  console.log(
    `    time in the page loop: ${Object.entries(spent)
      .map(([kind, s]) => `${kind} ${s.toFixed(1)} s`)
      .join(", ")}`,
  );
  await step("every kind of page was looked at", async () => {
    expect(missing.length === 0, `not looked at: ${missing.join(", ")}`);
  });
  await mkdir(join(ROOT, "test-results"), { recursive: true });
  await writeFile(join(ROOT, "test-results/look.json"), JSON.stringify({ missing, absent, results }, null, 2));
}
