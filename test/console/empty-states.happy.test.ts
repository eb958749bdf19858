import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { page, signIn } from "./kit";

// This file starts on an empty database (each test file gets its own): every list is empty.
let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});

/** The empty states on a page: their text (tags stripped) and the links in them. */
async function emptyStates(path: string, lang: "en" | "zh") {
  const res = await page(path, { cookie: `${cookie}; lang=${lang}` });
  expect(res.status, path).toBe(200);
  const html = await res.text();
  return [...html.matchAll(/<p class="empty" data-empty[^>]*>(.*?)<\/p>/gs)].map((m) => ({
    text: (m[1] ?? "").replace(/<[^>]+>/g, ""),
    links: [...(m[1] ?? "").matchAll(/href="([^"]+)"/g)].map((l) => l[1]),
  }));
}

describe("every list says what to do when it is empty", () => {
  it.each([
    // path, a phrase of its English and of its Chinese empty state, the links it offers
    ["/calls", "No calls yet", "还没有通话", ["/sources", "/"]],
    ["/calls?voiceId=no-such-call", "No calls match this search", "没有符合此搜索的通话", ["/calls"]],
    ["/deliveries", "No deliveries yet", "还没有投递", ["/destinations/new", "/"]],
    ["/deliveries?status=failed", "No deliveries match this filter", "没有符合此筛选的投递", ["/deliveries"]],
    ["/destinations", "No destinations yet", "还没有转发目标", ["/destinations/new"]],
    ["/pushes", "No pushes yet", "还没有推送", ["/sources", "/"]],
    ["/campaigns", "No calls in this window", "此时间范围内没有通话", ["/pushes"]],
  ] as const)("%s", async (path, en, zh, links) => {
    for (const [lang, phrase] of [
      ["en", en],
      ["zh", zh],
    ] as const) {
      const found = await emptyStates(path, lang);
      expect(found, `${path} in ${lang}`).toHaveLength(1);
      expect(found[0]?.text).toContain(phrase);
      expect(found[0]?.links).toEqual(links);
    }
  });

  it("the overview says there is nothing in the last 7 days, and where to start", async () => {
    for (const [lang, calls, deliveries] of [
      ["en", "No calls in the last 7 days", "No deliveries in the last 7 days"],
      ["zh", "最近 7 天没有通话", "最近 7 天没有投递"],
    ] as const) {
      const found = await emptyStates("/", lang);
      expect(found).toHaveLength(2);
      expect(found[0]?.text).toContain(calls);
      expect(found[1]?.text).toContain(deliveries);
      expect(found.map((f) => f.links)).toEqual([["/sources"], ["/destinations/new"]]);
    }
  });

  it("the audit log, empty, says what will be listed there", async () => {
    await env.DB.prepare("DELETE FROM audit_log").run();
    expect((await emptyStates("/audit", "en"))[0]?.text).toContain("every change made here or through the admin API");
    expect((await emptyStates("/audit", "zh"))[0]?.text).toContain("每项更改都会列在这里");
  });
});
