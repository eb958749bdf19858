// The attempts step of the console e2e (issue 19.2): a delivery that failed once (500) and then, on its retry,
// succeeded shows both attempts and the wait between on its page, with the request as sent and each answer. Its
// screenshots (and axe) come from the look steps, which open the first delivery the deliveries list links to.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ROOT } from "../../bench/lib/wrangler.ts";

interface AttemptsStep {
  page: Page;
  baseUrl: string;
  pushToken: string;
  step: (name: string, work: () => Promise<void>) => Promise<void>;
  expect: (condition: boolean, message: string) => void;
}

/** A receiver that answers its first request 500 and every later one 200, until closed. */
async function failOnce() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      if (requests === 1) res.writeHead(500, { "content-type": "text/plain" }).end("e2e: failing once");
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function attemptsSteps({ page, baseUrl, pushToken, step, expect }: AttemptsStep) {
  const flaky = await failOnce();
  try {
    await step("a delivery's timeline after a retry: both attempts and the wait between", async () => {
      await page.goto("/destinations/new?type=webhook");
      await page.getByLabel("Name", { exact: true }).fill("Attempts e2e");
      await page.getByLabel("URL", { exact: true }).fill(`${flaky.url}/hook/attempts`);
      await page.getByRole("button", { name: "Create" }).click();
      await page.getByText("shown only now").waitFor();

      const push = JSON.parse(await readFile(join(ROOT, "test/fixtures/sample-push.json"), "utf8"));
      const voiceId = `attempts-e2e-${Date.now()}`;
      push.array[0].voiceId = voiceId;
      const pushed = await fetch(`${baseUrl}/push/${pushToken}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(push),
      });
      expect(pushed.status === 200, `push answered ${pushed.status}`);

      const row = page.getByRole("row", { name: /Attempts e2e/ });
      for (let i = 0; i < 60; i++) {
        await page.goto(`/deliveries?voiceId=${voiceId}&status=delivered`);
        if ((await row.count()) > 0) break;
        await page.waitForTimeout(250);
      }
      await row.first().waitFor({ timeout: 1000 });
      expect(flaky.requests() === 2, `the receiver got ${flaky.requests()} requests, expected 2`);
      await row.first().locator('a[href^="/deliveries/dlv_"]').click();
      await page.getByRole("heading", { name: "Timeline" }).waitFor();
      const attempts = page.locator('li[data-timeline="attempt"]');
      expect((await attempts.count()) === 2, `${await attempts.count()} attempts on the timeline, expected 2`);
      expect(
        (await attempts.nth(0).innerText()).includes("HTTP 500") &&
          (await attempts.nth(1).innerText()).includes("HTTP 200"),
        `attempts read: ${(await attempts.allInnerTexts()).join(" | ")}`,
      );
      const wait = page.locator('li[data-timeline="wait"]');
      expect((await wait.count()) === 1, "no wait between the attempts");
      expect(
        (await wait.innerText()).includes("the retry schedule (backoff)"),
        `the wait reads ${await wait.innerText()}`,
      );
      const answer = await page.locator('[data-part="answer-body"]').allInnerTexts();
      expect(answer.includes("e2e: failing once"), `the answers read: ${answer.join(" | ")}`);
      const requestHeaders = await page.locator('[data-part="request-headers"]').first().innerText();
      expect(requestHeaders.includes("webhook-signature: [redacted]"), `request headers: ${requestHeaders}`);
      await page.getByRole("link", { name: "Force resend…" }).waitFor();
      await page.getByRole("link", { name: "Open the call" }).waitFor();
    });
  } finally {
    await flaky.close();
  }
}
