import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answer,
  attemptAt,
  chinese,
  forFullDigests,
  forHostileCalls,
  hostileText,
  recordingUrlOf,
  render,
  renderDigest,
  renderTemplate,
  sampleCalls,
  templateParts,
} from "../../../test/chat/kit";
import { feishuLimits } from "../limits";
import { utf8Bytes } from "../text";
import { feishu } from "./feishu";

const url = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c9f8e-1111-2222-3333-444455556666";

type Text = { tag: string; content: string };
type Row = { tag: string; columns: { elements: ({ tag: string; content: string } | { tag: string; text: Text })[] }[] };
type Card = { header: { title: Text }; elements: Row[] };

/** The card's rows as `label: value`, to read a card at a glance. */
function rows(card: Card): string[] {
  return card.elements.map((row) => {
    const [label, value] = row.columns.map((c) => c.elements[0]);
    return `${label && "content" in label ? label.content : "?"} ${value && "text" in value ? value.text.content : "?"}`;
  });
}

function expectWellFormed(body: string, card: Card) {
  expect(utf8Bytes(body)).toBeLessThanOrEqual(feishuLimits.body);
  expect(card.header.title.tag).toBe("plain_text");
  expect(card.header.title.content.length).toBeGreaterThan(0);
  const rows = card.elements.at(-1)?.tag === "action" ? card.elements.slice(0, -1) : card.elements;
  expect(rows).toHaveLength(10);
  for (const row of rows) {
    expect(row.tag).toBe("column_set");
    const [label, value] = row.columns.map((c) => c.elements[0]);
    expect(label).toMatchObject({ tag: "markdown", content: expect.stringMatching(/^\*\*[^*<>[\]]+\*\*$/) });
    expect(value).toMatchObject({ tag: "div", text: { tag: "plain_text" } });
  }
}

describe("feishu config", () => {
  const schema = feishu.configSchema({ allowHttp: false });
  const dev = feishu.configSchema({ allowHttp: true });
  const problem = (s: typeof schema, value: Record<string, unknown>) => s.safeParse(value).error?.issues[0]?.message;
  const notFeishu = "must be a Feishu or Lark custom-bot webhook URL: https://open.feishu.cn/open-apis/bot/v2/hook/…";

  it("takes Feishu and Lark hook URLs, with an optional secret", () => {
    expect(schema.parse({ url })).toEqual({ url });
    const lark = "https://open.larksuite.com/open-apis/bot/v2/hook/abc-123";
    expect(schema.parse({ url: lark, secret: " s3cr3t " })).toEqual({ url: lark, secret: "s3cr3t" });
  });

  it("refuses other URLs, plain http and bad secrets", () => {
    expect(problem(schema, { url: "https://open.feishu.cn.evil.test/open-apis/bot/v2/hook/x" })).toBe(notFeishu);
    expect(problem(schema, { url: "https://open.feishu.cn/open-apis/im/v1/messages" })).toBe(notFeishu);
    expect(problem(schema, { url: "https://open.feishu.cn/open-apis/bot/v2/hook/" })).toBe(notFeishu);
    expect(problem(schema, { url: url.replace("https:", "http:") })).toMatch(/must use https/);
    expect(problem(schema, {})).toBe("must be a URL string");
    expect(problem(schema, { url, secret: "two words" })).toMatch(/signing secret/);
    expect(problem(schema, { url, secret: "" })).toMatch(/signing secret/);
    expect(problem(schema, { url, keyword: "x" })).toBeDefined();
    expect(problem(dev, { url: "https://example.com/hook" })).toBe(notFeishu);
    expect(dev.parse({ url: "http://127.0.0.1:9/feishu" }).url).toBe("http://127.0.0.1:9/feishu");
  });

  it("hides the URL and the secret in API reads", () => {
    expect(feishu.secretFields).toEqual(["url", "secret"]);
    expect(feishu.chat).toBe(true);
  });
});

describe("feishu render", () => {
  it("posts the sample record as an interactive card, unsigned without a secret", async () => {
    const { request, body } = await render(feishu, { url });
    expect(request.url).toBe(url);
    expect(Object.keys(body)).toEqual(["msg_type", "card"]);
    expect(body.msg_type).toBe("interactive");
    expect({ ...body.card, elements: body.card.elements.slice(0, 1) }).toMatchInlineSnapshot(`
      {
        "config": {
          "wide_screen_mode": true,
        },
        "elements": [
          {
            "columns": [
              {
                "elements": [
                  {
                    "content": "**Callee**",
                    "tag": "markdown",
                  },
                ],
                "tag": "column",
                "weight": 1,
                "width": "weighted",
              },
              {
                "elements": [
                  {
                    "tag": "div",
                    "text": {
                      "content": "222***************0007",
                      "tag": "plain_text",
                    },
                  },
                ],
                "tag": "column",
                "weight": 3,
                "width": "weighted",
              },
            ],
            "flex_mode": "none",
            "tag": "column_set",
          },
        ],
        "header": {
          "template": "blue",
          "title": {
            "content": "Connected-Customer No Responsern",
            "tag": "plain_text",
          },
        },
      }
    `);
    expect(rows(body.card)).toMatchInlineSnapshot(`
      [
        "**Callee** 222***************0007",
        "**Caller ID** 5034040",
        "**Answered** 2026-03-26 15:22:28 (Asia/Shanghai)",
        "**Talk time** 35s",
        "**Status** connected",
        "**Result** valid_call",
        "**Intent code** 302",
        "**Task / script** 5034040 / 63",
        "**Recording** 260326152224160100152.wav",
        "**Call ID** 260326152224160100152",
      ]
    `);
    expectWellFormed(request.body, body.card);
  });

  it("speaks Chinese", async () => {
    const { body } = await render(feishu, { url }, {}, chinese);
    expect(rows(body.card)).toMatchInlineSnapshot(`
      [
        "**被叫** 222***************0007",
        "**主叫** 5034040",
        "**接通时间** 2026-03-26 15:22:28 (Asia/Shanghai)",
        "**通话时长** 35秒",
        "**接通状态** 已接通",
        "**通话描述** 有效通话",
        "**意图代码** 302",
        "**任务 / 话术** 5034040 / 63",
        "**录音** 260326152224160100152.wav",
        "**通话 ID** 260326152224160100152",
      ]
    `);
  });

  it("signs as Feishu documents: HMAC-SHA256 keyed with timestamp + \\n + secret over nothing", async () => {
    const secret = "demo-secret";
    const { body } = await render(feishu, { url, secret });
    const timestamp = String(Math.floor(attemptAt / 1000));
    expect(body.timestamp).toBe(timestamp);
    expect(body.sign).toBe(createHmac("sha256", `${timestamp}\n${secret}`).update("").digest("base64"));
    expect(body.sign).not.toBe(createHmac("sha256", "other").update("").digest("base64"));
    expect(Object.keys(body)).toEqual(["timestamp", "sign", "msg_type", "card"]);
  });

  it("puts user text only in plain text, and stays within 20 KB", async () => {
    await forHostileCalls(feishu, { url, secret: "s" }, ({ request, body }) =>
      expectWellFormed(request.body, body.card),
    );
  });
});

describe("feishu classify", () => {
  it("delivers only on code 0, in the current and the legacy shape", () => {
    const success = { StatusCode: 0, StatusMessage: "success", code: 0, data: {}, msg: "success" };
    expect(feishu.classify(answer(200, success))).toEqual({ outcome: "delivered" });
    expect(feishu.classify(answer(200, { StatusCode: 0, StatusMessage: "success" }))).toEqual({ outcome: "delivered" });
  });

  it.each([
    [19001, "param invalid: incoming webhook access token invalid"],
    [19007, "Bot Not Enabled"],
    [19021, "sign match fail or timestamp is not within one hour from current time"],
    [19022, "Ip Not Allowed"],
    [19024, "Key Words Not Found"],
  ])("fails for good on code %i (HTTP 200)", (code, msg) => {
    expect(feishu.classify(answer(200, { code, msg, data: {} }))).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(`^Feishu answered ${code} ${msg}: `),
    });
  });

  it("retries the rate limit after a minute", () => {
    expect(
      feishu.classify(answer(200, { code: 11232, msg: "frequency limited psm[lark.oapi.app_platform_runtime]" })),
    ).toEqual({
      outcome: "retry",
      reason: "Feishu answered 11232 frequency limited psm[lark.oapi.app_platform_runtime]",
      retryAfterSeconds: 60,
    });
  });

  it("retries bad requests, unreadable bodies and server errors on the schedule", () => {
    expect(feishu.classify(answer(200, { code: 9499, msg: "Bad Request", data: {} }))).toEqual({
      outcome: "retry",
      reason: "Feishu answered 9499 Bad Request",
    });
    expect(feishu.classify(answer(200, "<html>gateway</html>"))).toMatchObject({ outcome: "retry" });
    expect(feishu.classify(answer(502, "Bad Gateway"))).toEqual({ outcome: "retry", reason: "HTTP 502: Bad Gateway" });
  });
});

describe("feishu digest", () => {
  it("lists the calls in a card under their count, a plain-text row each, with a legend note", async () => {
    const { body } = await renderDigest(feishu, { url, secret: "demo-secret" }, sampleCalls(2), chinese);
    expect(body).toMatchObject({ timestamp: String(Math.floor(attemptAt / 1000)), msg_type: "interactive" });
    expect(body.card).toEqual({
      config: { wide_screen_mode: true },
      header: { template: "blue", title: { tag: "plain_text", content: "2 通电话" } },
      elements: [
        {
          tag: "div",
          text: { tag: "plain_text", content: "Intent 1 (302) · 222***************0007 · 35秒 · 03-26 15:22 · 1" },
        },
        {
          tag: "div",
          text: { tag: "plain_text", content: "Intent 2 (302) · 222***************0007 · 35秒 · 03-26 15:22 · 2" },
        },
        {
          tag: "note",
          elements: [
            {
              tag: "plain_text",
              content: "意图 (意图代码) · 被叫 · 通话时长 · 接通时间 · 通话 ID；时间为 Asia/Shanghai",
            },
          ],
        },
      ],
    });
  });

  it("holds every call of a full digest within 20 KB, user text only in plain text", async () => {
    await forFullDigests(feishu, { url, secret: "s" }, ({ request, body }, calls, links) => {
      expect(utf8Bytes(request.body)).toBeLessThanOrEqual(feishuLimits.body);
      const elements: { tag: string; text: Text; extra?: object }[] = body.card.elements;
      expect(elements.pop()?.tag).toBe("note");
      expect(elements).toHaveLength(calls.length);
      const linked = elements.some((element) => element.extra);
      elements.forEach((element, i) => {
        expect(element.text.tag).toBe("plain_text");
        expect(element.text.content.endsWith(` · ${calls[i]?.voiceId}`)).toBe(true);
        expect(element.extra).toEqual(
          linked
            ? { tag: "button", text: { tag: "plain_text", content: links.label }, type: "default", url: links.urls[i] }
            : undefined,
        );
      });
    });
  });
});

describe("feishu template", () => {
  it("is a card holding the text, values readable and plain", async () => {
    const { body } = await renderTemplate(
      feishu,
      { url, secret: "demo-secret" },
      "{{intent}}: {{callee}}, {{callDuration}}, connected {{connected}}",
      { intent: '<at user_id="all">所有人</at>', connected: false },
    );
    expect(body).toMatchObject({ timestamp: String(Math.floor(attemptAt / 1000)), msg_type: "interactive" });
    expect(body.card).toEqual({
      config: { wide_screen_mode: true },
      elements: [
        {
          tag: "div",
          text: {
            tag: "plain_text",
            content: '<at user_id="all">所有人</at>: 222***************0007, 35s, connected no',
          },
        },
      ],
    });
  });

  it("stays within 20 KB whatever the values", async () => {
    const source = `${"中".repeat(4000)} {{intent}} {{callee}} {{intentCode}} {{displayNum}} {{terminationReason}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (intent, callee) => {
        const { request } = await renderTemplate(feishu, { url, secret: "s" }, source, {
          intent,
          callee,
          intentCode: intent,
          displayNum: callee,
          terminationReason: intent,
        });
        expect(utf8Bytes(request.body)).toBeLessThanOrEqual(feishuLimits.body);
      }),
      { numRuns: 50 },
    );
    expect(feishu.checkTemplate(templateParts(`${"中".repeat(6500)}{{intent}}`))).toMatch(/^is too long/);
  });
});

describe("feishu recording link", () => {
  const link = "https://relay.example/recordings/abc.def";

  it("is a button under the facts, in the destination's language", async () => {
    const { body } = await render(feishu, { url }, {}, {}, link);
    expect(body.card.elements.at(-1)).toEqual({
      tag: "action",
      actions: [
        { tag: "button", text: { tag: "plain_text", content: "Listen to the recording" }, type: "primary", url: link },
      ],
    });
    const zh = (await render(feishu, { url }, {}, chinese, link)).body;
    expect(zh.card.elements.at(-1).actions[0].text.content).toBe("收听录音");
    expect((await render(feishu, { url })).body.card.elements.some((e: Row) => e.tag === "action")).toBe(false);
  });

  it("puts a button to its recording beside each row of a digest", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(feishu, { url }, sampleCalls(3), {}, urls);
    const rows: { extra?: { url: string; text: Text } }[] = body.card.elements.slice(0, -1);
    expect(rows.map((row) => row.extra?.url)).toEqual(urls);
    expect(rows[0]?.extra?.text.content).toBe("Recording");
  });
});
