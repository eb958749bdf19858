// End to end: the console in a real Chromium (playwright-core) against `wrangler dev` on a fresh local D1.
// Run: npm run test:e2e (needs /usr/bin/chromium: `apt-get install -y chromium`, or set CHROMIUM_PATH).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { runCleanup } from "../bench/lib/cleanup.ts";
import { startReceiver } from "../bench/lib/receiver.ts";
import { ROOT, startDevWorker } from "../bench/lib/wrangler.ts";
import { attemptsSteps } from "./steps/attempts.ts";
import { liveSteps } from "./steps/live.ts";
import { lookSteps, shootAll } from "./steps/look.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Long enough (32+) that the console shows no weak-token banner in the screenshots.
const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef01234567";
const PUSH_TOKEN = "e2e-push-token-0123456789abcdef012345678";
const SHOTS = join(ROOT, "docs/console");
const results: { name: string; ok: boolean; error?: string }[] = [];
const browserErrors: string[] = [];

async function step(name: string, work: () => Promise<void>) {
  const started = performance.now();
  const took = () => `(${((performance.now() - started) / 1000).toFixed(1)} s)`;
  try {
    await work();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} ${took()}`);
  } catch (err) {
    results.push({ name, ok: false, error: (err as Error).message });
    console.log(`  × ${name} ${took()}\n    ${(err as Error).message.split("\n").join("\n    ")}`);
  }
}

function expect(condition: boolean, message: string) {
  if (!condition) throw new Error(message);
}

/** Screenshots of the page as it is now (desktop and 375 px, light and dark) into docs/console/. */
const shoot = (page: Page, name: string) => shootAll(page, SHOTS, name);

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  await mkdir(SHOTS, { recursive: true });
  const receiver = await startReceiver();
  const worker = await startDevWorker(
    {
      name: "console",
      config: "wrangler.toml",
      vars: {
        ADMIN_TOKEN,
        PUSH_TOKEN,
        ALLOW_HTTP_DESTINATIONS: "1",
        DEFAULT_TIMEZONE: "Asia/Shanghai",
      },
      readyPath: "/health",
    },
    await mkdtemp(join(tmpdir(), "callrelay-e2e-")),
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext({ baseURL: worker.url, acceptDownloads: true });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") browserErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => browserErrors.push(`${page.url()}: ${e.message}`));
    const base = worker.url;
    let sampleCall = "";
    let slackPage = "";

    await step("sign in with a wrong token, then the right one", async () => {
      await page.goto("/");
      expect(page.url().startsWith(`${base}/sign-in`), `not sent to sign-in: ${page.url()}`);
      await page.getByLabel("Admin token").fill("wrong-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("That is not the admin token").waitFor();
      await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("Signed in as admin token").waitFor();
    });

    await step("first-run checklist on a fresh database: push URL, destination, sample push, forwarded", async () => {
      await page.goto("/");
      await page.getByRole("heading", { name: "First run" }).waitFor();
      await shoot(page, "first-run-en");
      await page.getByRole("link", { name: /Copy the push URL/ }).click();
      await page.waitForURL(/\/sources$/);
      await page.getByLabel("New source").fill("platform");
      await page.getByRole("button", { name: "Create" }).click();
      // The copy button works once the page's script runs: wait for the new page to load before clicking.
      await page.getByRole("button", { name: "Copy" }).waitFor();
      await page.waitForLoadState("load");
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByRole("button", { name: "✓" }).waitFor();
      const copied = String(await page.evaluate("navigator.clipboard.readText()"));
      expect(/^http:\/\/.+\/push\/[a-z2-7]+$/.test(copied), `copied ${copied}`);

      await page.goto("/");
      await page.getByRole("link", { name: "Add a destination" }).click();
      // The type select submits on change once the page's script runs: wait for the page to load first.
      await page.waitForURL(/\/destinations\/new$/);
      await page.getByLabel("Type", { exact: true }).selectOption("webhook");
      await page.waitForURL(/type=webhook$/);
      await page.getByLabel("Name", { exact: true }).fill("Webhook e2e");
      await page.getByLabel("URL", { exact: true }).fill(`${receiver.url}/hook/e2e`);
      await page.getByRole("button", { name: "Create" }).click();
      await page.getByText("shown only now").waitFor();

      await page.goto("/");
      await page.getByRole("button", { name: "Send sample push" }).click();
      await page.waitForURL(/\/calls\/src_default\/sample-\d+$/);
      sampleCall = page.url().split("/").at(-1) ?? "";
      await page.goto("/");
      await page.getByRole("link", { name: /See it forwarded/ }).click();
      for (let i = 0; i < 40; i++) {
        await page.goto("/deliveries?status=delivered");
        if ((await page.getByRole("cell", { name: "delivered" }).count()) > 0) break;
        await page.waitForTimeout(250);
      }
      await page.getByRole("cell", { name: "delivered" }).first().waitFor({ timeout: 1000 });
      expect(
        receiver.arrivals.some((a) => a.path.endsWith("/hook/e2e")),
        "the webhook got nothing",
      );
    });

    await step(
      "find the sample call by the last 4 digits of its number, open it, read why it was forwarded",
      async () => {
        await page.goto("/calls");
        await page.getByLabel("Phone number").fill("0007");
        await page.getByRole("button", { name: "Search" }).click();
        await page.waitForURL(/phone=0007/);
        await page.getByRole("link", { name: sampleCall }).click();
        await page.getByRole("heading", { name: "Record as received" }).waitFor();
        await page.getByText("The called number.").first().waitFor();
        const why = page.getByRole("row", { name: /Webhook e2e/ });
        await why.getByText("forwarded", { exact: true }).waitFor();
      },
    );

    await step("build a Slack destination's filter in the builder and see the preview count", async () => {
      await page.goto("/destinations/new?type=slack");
      await page.getByLabel("Name", { exact: true }).fill("Slack e2e");
      await page.getByLabel("URL", { exact: true }).fill(`${receiver.url}/services/e2e`);
      await page.getByRole("button", { name: "Add condition" }).click();
      await page.getByLabel("Field", { exact: true }).fill("connected");
      await page.getByLabel("Operator", { exact: true }).selectOption("$eq");
      await page.getByLabel("Value", { exact: true }).fill("true");
      await page.getByText(/Would match 1 of the last 1 calls/).waitFor();
      const json = JSON.parse(await page.getByLabel("Filter (JSON, advanced)").inputValue());
      expect(JSON.stringify(json) === '{"$and":[{"connected":{"$eq":true}}]}', `builder wrote ${JSON.stringify(json)}`);
      await page.getByRole("button", { name: "Create" }).click();
      await page.getByRole("heading", { name: "Destination: Slack e2e" }).waitFor();
      expect(
        (await page.getByLabel("Field", { exact: true }).inputValue()) === "connected",
        "the builder did not read the saved filter back",
      );
      slackPage = new URL(page.url()).pathname;
    });

    await step("send a test and read the receiver's answer", async () => {
      const before = receiver.arrivals.length;
      await page.getByLabel("Event to send").selectOption("call.reported");
      await page.getByRole("button", { name: "Send a test" }).click();
      await page.getByRole("heading", { name: "Receiver's answer: call.reported" }).waitFor();
      await page.getByText(/delivered 200/).waitFor();
      expect(receiver.arrivals.length > before, "the receiver got nothing");
    });

    await step("export the calls as CSV", async () => {
      await page.goto("/calls");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Export CSV (all pages)" }).click(),
      ]);
      const text = await readFile((await download.path()) ?? "", "utf8");
      const lines = text.trim().split("\r\n");
      expect(lines[0]?.startsWith("sourceId,voiceId") === true, `CSV header: ${lines[0]}`);
      expect(lines.length === 2, `CSV has ${lines.length - 1} calls, expected 1`);
    });

    await attemptsSteps({ page, baseUrl: base, pushToken: PUSH_TOKEN, step, expect });

    await lookSteps({
      page,
      browser,
      baseUrl: base,
      adminToken: ADMIN_TOKEN,
      pushToken: PUSH_TOKEN,
      shots: SHOTS,
      step,
      expect,
    });

    await liveSteps({ page, worker, receiver, step, expect, adminToken: ADMIN_TOKEN, pushToken: PUSH_TOKEN });

    await step("switch to Chinese, remembered across pages", async () => {
      await page.goto("/");
      await page.getByLabel("Language").selectOption("zh");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.getByRole("heading", { name: "概览" }).waitFor();
      for (const path of [
        "/",
        "/calls",
        `/calls/src_default/${sampleCall}`,
        "/destinations",
        "/destinations/new",
        slackPage,
        "/deliveries",
        "/sources",
        "/pushes",
        "/audit",
      ]) {
        await page.goto(path);
        expect((await page.locator("html").getAttribute("lang")) === "zh-CN", `${path} is not in Chinese`);
      }
    });

    await step("sign out", async () => {
      await page.getByRole("button", { name: "退出", exact: true }).click();
      await page.waitForURL(/\/sign-in$/);
      await page.goto("/calls");
      expect(page.url().includes("/sign-in"), "still signed in after signing out");
    });

    await step("no errors in the browser console", async () => {
      expect(browserErrors.length === 0, browserErrors.join("\n"));
    });
  } finally {
    await browser.close();
    await worker.stop();
    await receiver.close();
  }
}

const started = Date.now();
await main().catch((err: Error) => {
  results.push({ name: "set up", ok: false, error: err.message });
  console.error(err.message);
});
await runCleanup();
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
await mkdir(join(ROOT, "test-results"), { recursive: true });
await writeFile(join(ROOT, "test-results/e2e.json"), JSON.stringify({ passed, failed, results }, null, 2));
console.log(`e2e: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failed > 0 ? 1 : 0);
