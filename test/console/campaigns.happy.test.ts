import { beforeAll, describe, expect, it } from "vitest";
import { admin, push, record } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});

const html = async (path: string, lang = "en") => {
  const res = await page(path, { cookie: `${cookie}; lang=${lang}; tz=UTC` });
  expect(res.status, path).toBe(200);
  return res.text();
};

/** The cells of the table row whose first cell is `first`. */
function rowOf(text: string, first: string): string[] {
  const row = [...text.matchAll(/<tr>(.*?)<\/tr>/gs)]
    .map((m) => [...(m[1] ?? "").matchAll(/<td>(.*?)<\/td>/gs)].map((c) => c[1] ?? ""))
    .find((cells) => cells[0] === first);
  if (!row) throw new Error(`no row ${first} in ${text.slice(text.indexOf("<main"))}`);
  return row;
}

describe("console /campaigns", () => {
  it("shows each task's calls, connect rate, intents, talk time as m:ss, minutes and money with its currency", async () => {
    const source = await admin("/sources", { body: { name: `camp-${crypto.randomUUID()}` } }).then((r) =>
      r.json<{ token: string }>(),
    );
    const taskId = 700_000 + Math.floor(Math.random() * 99_999);
    const lead = {
      taskId,
      callTime: Date.UTC(2026, 2, 26, 8, 15),
      callStatusNew: 1,
      callDuration: 65,
      chargedDuration: 90,
    };
    const res = await push(
      {
        array: [
          record({ ...lead, intentCode: "302", cost: "1234.5", aiAgentQuoteFee: "0.5" }),
          record({ ...lead, intentCode: "303", currency: "EUR", cost: "2", aiAgentQuoteFee: "0" }),
        ],
      },
      source,
    );
    expect(res.status).toBe(200);
    const query = `/campaigns?since=2026-03-26&until=2026-03-27&intent=302`;
    const en = await html(query);
    expect(en).toContain('<a href="/campaigns" aria-current="page">Campaigns</a>');
    expect(en).not.toMatch(/<script>|onclick=/);
    expect(rowOf(en, String(taskId))).toEqual([
      String(taskId),
      "2",
      "2 (100.0%)",
      "302 × 1, 303 × 1",
      "1:05",
      "3",
      "€2.00",
      "€0.00",
      "€2.00",
      "€2.00",
      "0",
      "—",
      "—",
    ]);
    expect(en).toContain("<td>$1,234.50</td><td>$0.50</td><td>$1,235.00</td><td>$1,235.00</td><td>1</td>");
    expect(en).toContain('value="302"');

    const zh = await html(query, "zh");
    expect(zh).toContain("平均通话时长");
    expect(zh).toContain("每通接通成本");
    expect(zh).toContain(">活动</a>");
    expect(rowOf(zh, String(taskId))[4]).toBe("1:05");
  });

  it("says what to do when the window is empty, and why a filter cannot be answered", async () => {
    expect(await html("/campaigns?since=2001-01-01&until=2001-01-02")).toContain("No calls in this window.");
    const refused = await html(`/campaigns?filter=${encodeURIComponent('{"callDuration":{"$gt":1}}')}`);
    expect(refused).toContain('role="alert"');
    expect(refused).toContain("callDuration would need every call of the window read");
    expect(await html("/campaigns?filter=%7Bnope")).toContain("filter: is not JSON");
  });
});
