// Browser steps of issue 19 point 4 (live pages, the tail) and the destination health after a burst with failures.
// Called from one line of e2e/console.e2e.ts; every wait is on a condition in the page, never a fixed sleep, except
// the one that shows nothing is fetched while live updates are off.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { postPush } from "../../bench/lib/load.ts";
import { type PlatformRecord, pushBody, recordFactory } from "../../bench/lib/records.ts";

interface LiveStepsArgs {
  page: Page;
  worker: { url: string };
  receiver: { url: string };
  step: (name: string, work: () => Promise<void>) => Promise<void>;
  expect: (condition: boolean, message: string) => void;
  adminToken: string;
  pushToken: string;
}

/** How long a change may take to show: a push, its delivery, and one or two refreshes 5 s apart. */
const SHOWS_WITHIN = 30_000;

/** Waits for `condition`, asked every 250 ms (the page's script cannot evaluate strings: the CSP forbids it). */
async function until(condition: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + SHOWS_WITHIN;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${SHOWS_WITHIN / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A receiver answering 500 to the calls in `failing` (every attempt) and 200 to the rest. */
async function startFlakyReceiver(failing: Set<string>) {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    let voiceId = "";
    try {
      voiceId = String(JSON.parse(Buffer.concat(chunks).toString("utf8"))?.data?.voiceId ?? "");
    } catch {
      voiceId = "";
    }
    const fail = failing.has(voiceId);
    res.writeHead(fail ? 500 : 200, { "content-type": "application/json" }).end(fail ? '{"error":"busy"}' : "{}");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export async function liveSteps({ page, worker, receiver, step, expect, adminToken, pushToken }: LiveStepsArgs) {
  const next = recordFactory({ seed: 419, base: Date.now() - 3600_000 });
  const call = (displayNum: string, over: Partial<PlatformRecord> = {}): PlatformRecord => ({
    ...next({ connected: true }),
    displayNum,
    ...over,
  });
  const pushCalls = async (records: PlatformRecord[]) => {
    const outcome = await postPush(`${worker.url}/push/${pushToken}`, pushBody(records), records.length);
    expect(outcome.ok, `push: ${outcome.error}`);
  };
  const createDestination = async (name: string, url: string, displayNum: string) => {
    const res = await fetch(`${worker.url}/api/v1/destinations`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name, type: "webhook", config: { url }, filter: { displayNum } }),
    });
    expect(res.status === 201, `creating ${name}: HTTP ${res.status}`);
    return ((await res.json()) as { id: string }).id;
  };
  /** Marks the document, and counts main-frame navigations, to show later that the page was never reloaded. */
  const watchNavigation = async () => {
    let navigations = 0;
    const onNavigation = (frame: unknown) => {
      if (frame === page.mainFrame()) navigations += 1;
    };
    page.on("framenavigated", onNavigation);
    await page.evaluate("window.__sameDocument = true");
    return async (what: string) => {
      page.off("framenavigated", onNavigation);
      const same = (await page.evaluate("window.__sameDocument === true")) === true;
      expect(same && navigations === 0, `${what}: the page navigated (${navigations}) or reloaded`);
    };
  };
  const mark = "5034419";
  const started = Date.now();
  let destinationId = "";

  await step("a live page shows a new delivery without reload, and says when it refreshed", async () => {
    destinationId = await createDestination("Live e2e", `${receiver.url}/hook/live`, mark);
    await page.goto(`/deliveries?destination=${destinationId}`);
    await page.getByLabel(/Live updates/).waitFor();
    expect(await page.getByLabel(/Live updates/).isChecked(), "live updates are not on by default");
    const sameDocument = await watchNavigation();
    const fresh = call(mark);
    await pushCalls([fresh]);
    const row = page.locator('[data-live="deliveries"] tr', { hasText: fresh.voiceId });
    await row.waitFor({ timeout: SHOWS_WITHIN });
    await row.getByText("delivered", { exact: true }).waitFor({ timeout: SHOWS_WITHIN });
    await page.locator("[data-live-said]", { hasText: /^Refreshed / }).waitFor();
    // The URL's filter still holds, and the form still shows it.
    expect(page.url().endsWith(`/deliveries?destination=${destinationId}`), `URL now ${page.url()}`);
    const chosen = await page.locator('select[name="destination"] option:checked').allTextContents();
    expect(chosen.join() === "Live e2e", `filter form shows ${chosen.join()}`);
    await sameDocument("deliveries");
  });

  await step("live updates switch off, stay off across pages, and on again", async () => {
    const toggle = page.getByLabel(/Live updates/);
    await toggle.uncheck();
    await page.locator("[data-live-said]", { hasText: "Live updates are off" }).waitFor();
    await page.goto("/");
    expect(!(await page.getByLabel(/Live updates/).isChecked()), "off was not remembered");
    const before = await page.locator("[data-live-src]").getAttribute("data-refreshes");
    await page.waitForTimeout(6_000); // longer than one interval: nothing may have been fetched
    const after = await page.locator("[data-live-src]").getAttribute("data-refreshes");
    expect(before === after, `refreshed while off (${before} → ${after})`);
    await page.getByLabel(/Live updates/).check();
    await page.locator("[data-live-src][data-refreshes]").waitFor({ timeout: SHOWS_WITHIN });
    await page.locator("[data-live-said]", { hasText: /^Refreshed / }).waitFor();
  });

  await step("the tail shows a push and its delivery as they arrive, newest first", async () => {
    await page.goto("/tail");
    await page.getByRole("heading", { name: "Tail", exact: true }).waitFor();
    const sameDocument = await watchNavigation();
    const pushesBefore = await page.locator('[data-live="tail-pushes"] tbody tr').count();
    const fresh = call(mark);
    await pushCalls([fresh]);
    const rows = page.locator('[data-live="tail-deliveries"] tbody tr');
    const mine = rows.filter({ hasText: fresh.voiceId });
    await mine.first().waitFor({ timeout: SHOWS_WITHIN });
    // Its deliveries (to every destination it matches) on top; the one to "Live e2e" patched in place as it settles.
    await mine
      .filter({ hasText: "Live e2e" })
      .getByText("delivered", { exact: true })
      .waitFor({ timeout: SHOWS_WITHIN });
    expect(((await rows.first().textContent()) ?? "").includes(fresh.voiceId), "the new delivery is not on top");
    await page.locator('[data-live="tail-pushes"] tbody tr').nth(pushesBefore).waitFor({ timeout: SHOWS_WITHIN });
    const pushesAfter = await page.locator('[data-live="tail-pushes"] tbody tr').count();
    expect(pushesAfter === Math.min(pushesBefore + 1, 100), `pushes ${pushesBefore} → ${pushesAfter}`);
    await sameDocument("tail");
  });

  await step("a destination's page shows its health after a burst with failures, without reload", async () => {
    const burstMark = "5034420";
    const burst = Array.from({ length: 10 }, () => call(burstMark));
    const failing = new Set(burst.slice(0, 4).map((r) => r.voiceId));
    const flaky = await startFlakyReceiver(failing);
    try {
      const id = await createDestination("Flaky e2e", `${flaky.url}/hook`, burstMark);
      await page.goto(`/destinations/${id}`);
      await page.locator("[data-health-summary]").waitFor();
      const sameDocument = await watchNavigation();
      await pushCalls(burst);
      await page.locator('[data-health-summary] [data-delivered="6"]').waitFor({ timeout: SHOWS_WITHIN });
      const retried = page.locator("[data-health-summary] [data-retried]");
      await until(async () => Number(await retried.getAttribute("data-retried")) >= 4, "4 attempts to retry");
      const rate = Number(
        await page.locator("[data-health-summary] [data-success-rate]").getAttribute("data-success-rate"),
      );
      expect(rate > 0 && rate < 100, `success rate ${rate}%`);
      const recent = page.locator('[data-live="destination-recent"] tbody tr');
      await recent.filter({ hasText: "retrying" }).first().waitFor({ timeout: SHOWS_WITHIN });
      expect((await recent.filter({ hasText: "delivered" }).count()) === 6, "six delivered in recent deliveries");
      await sameDocument("destination");
    } finally {
      await flaky.close();
    }
  });
  console.log(`    (live steps: ${Math.round((Date.now() - started) / 1000)} s)`);
}
