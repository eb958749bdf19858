import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answer,
  chinese,
  forFullDigests,
  forHostileCalls,
  hostileText,
  linkSuffix,
  markdownEscaped,
  recordingUrlOf,
  render,
  renderDigest,
  renderTemplate,
  sampleCalls,
  strongEscaped,
  templateParts,
  withoutLinks,
} from "../../../test/chat/kit";
import { wecomLimits } from "../limits";
import { escapeMarkdown, utf8Bytes } from "../text";
import { wecom } from "./wecom";

const url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a4c-4f8e-9b2d-1c3e5f7a9b0d";

function expectWellFormed(content: string) {
  expect(utf8Bytes(content)).toBeLessThanOrEqual(wecomLimits.markdownContent);
  const [heading = "", ...lines] = content.replace(/\n\[[^\]]+\]\(https:[^)]+\)$/, "").split("\n");
  expect(lines).toHaveLength(10);
  expect(heading).toMatch(/^### ./);
  expect(markdownEscaped(heading.slice(4))).toBe(true);
  for (const line of lines) {
    const value = /^>[^<>*\\]+(: |：)<font color="comment">(.+)<\/font>$/.exec(line)?.[2];
    expect(value).toBeDefined();
    expect(markdownEscaped(value ?? "")).toBe(true);
  }
}

describe("wecom config", () => {
  const schema = wecom.configSchema({ allowHttp: false });
  const problem = (value: Record<string, unknown>) => schema.safeParse(value).error?.issues[0]?.message;
  const notWecom = "must be a WeCom group-robot webhook URL: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…";

  it("takes a group-robot URL", () => {
    expect(schema.parse({ url })).toEqual({ url });
  });

  it("refuses other URLs, a missing key and plain http", () => {
    expect(problem({ url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send" })).toBe(notWecom);
    expect(problem({ url: "https://qyapi.weixin.qq.com/cgi-bin/message/send?key=abc" })).toBe(notWecom);
    expect(problem({ url: "https://example.com/cgi-bin/webhook/send?key=abc" })).toBe(notWecom);
    expect(problem({ url: url.replace("https:", "http:") })).toMatch(/must use https/);
    expect(problem({ url, mentionAll: true })).toBeDefined();
  });

  it("hides the URL (its key is the credential) in API reads", () => {
    expect(wecom.secretFields).toEqual(["url"]);
    expect(wecom.chat).toBe(true);
  });
});

describe("wecom render", () => {
  it("posts the sample record as markdown", async () => {
    const { request, body } = await render(wecom, { url });
    expect(request.url).toBe(url);
    expect(body).toMatchInlineSnapshot(`
      {
        "markdown": {
          "content": "### Connected-Customer No Responsern
      >Callee: <font color="comment">222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007</font>
      >Caller ID: <font color="comment">5034040</font>
      >Answered: <font color="comment">2026-03-26 15:22:28 (Asia/Shanghai)</font>
      >Talk time: <font color="comment">35s</font>
      >Status: <font color="comment">connected</font>
      >Result: <font color="comment">valid\\_call</font>
      >Intent code: <font color="comment">302</font>
      >Task / script: <font color="comment">5034040 / 63</font>
      >Recording: <font color="comment">260326152224160100152.wav</font>
      >Call ID: <font color="comment">260326152224160100152</font>",
        },
        "msgtype": "markdown",
      }
    `);
    expectWellFormed(body.markdown.content);
  });

  it("speaks Chinese", async () => {
    const { body } = await render(wecom, { url }, {}, chinese);
    expect(body.markdown.content).toMatchInlineSnapshot(`
      "### Connected-Customer No Responsern
      >被叫：<font color="comment">222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007</font>
      >主叫：<font color="comment">5034040</font>
      >接通时间：<font color="comment">2026-03-26 15:22:28 (Asia/Shanghai)</font>
      >通话时长：<font color="comment">35秒</font>
      >接通状态：<font color="comment">已接通</font>
      >通话描述：<font color="comment">有效通话</font>
      >意图代码：<font color="comment">302</font>
      >任务 / 话术：<font color="comment">5034040 / 63</font>
      >录音：<font color="comment">260326152224160100152.wav</font>
      >通话 ID：<font color="comment">260326152224160100152</font>"
    `);
    expectWellFormed(body.markdown.content);
  });

  it("cuts by UTF-8 bytes, never inside a character", async () => {
    const { body } = await render(
      wecom,
      { url },
      { intent: "中".repeat(5000), callee: "😀".repeat(5000) },
      {
        maskCallee: false,
      },
    );
    const content: string = body.markdown.content;
    expect(utf8Bytes(content)).toBeLessThanOrEqual(4096);
    expect(content).not.toMatch(/\uFFFD/);
    expect(content.split("\n")[0]).toMatch(/^### 中+…$/);
    expect(content.split("\n")[1]).toMatch(/^>Callee: <font color="comment">(😀)+…<\/font>$/);
  });

  it("escapes user text and stays within 4,096 bytes", async () => {
    await forHostileCalls(wecom, { url }, ({ body }) => expectWellFormed(body.markdown.content));
  });
});

describe("wecom classify", () => {
  it("delivers only on errcode 0", () => {
    expect(wecom.classify(answer(200, { errcode: 0, errmsg: "ok" }))).toEqual({ outcome: "delivered" });
  });

  it("fails for good on an invalid webhook (HTTP 200)", () => {
    const body = { errcode: 93000, errmsg: "invalid webhook url, hint: [1774509791_30_abc], from ip: 203.0.113.7" };
    expect(wecom.classify(answer(200, body))).toEqual({
      outcome: "failed",
      reason: `WeCom answered 93000 ${body.errmsg}: the webhook URL is invalid or its robot was removed`,
    });
  });

  it("retries the rate limit after a minute", () => {
    const body = { errcode: 45009, errmsg: "api freq out of limit, hint: [1774509791_30_abc]" };
    expect(wecom.classify(answer(200, body))).toEqual({
      outcome: "retry",
      reason: `WeCom answered 45009 ${body.errmsg}`,
      retryAfterSeconds: 60,
    });
  });

  it("retries other codes on the schedule", () => {
    expect(wecom.classify(answer(200, { errcode: 40008, errmsg: "invalid message type" }))).toEqual({
      outcome: "retry",
      reason: "WeCom answered 40008 invalid message type",
    });
    expect(wecom.classify(answer(500, "oops"))).toEqual({ outcome: "retry", reason: "HTTP 500: oops" });
  });
});

describe("wecom digest", () => {
  it("lists the calls under their count, a line each, with the legend in grey", async () => {
    const { body } = await renderDigest(wecom, { url }, sampleCalls(2), chinese);
    expect(body).toEqual({
      msgtype: "markdown",
      markdown: {
        content: [
          "### 2 通电话",
          "**Intent 1** (302) · 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 · 35秒 · 03-26 15:22 · 1",
          "**Intent 2** (302) · 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 · 35秒 · 03-26 15:22 · 2",
          '<font color="comment">意图 (意图代码) · 被叫 · 通话时长 · 接通时间 · 通话 ID；时间为 Asia/Shanghai</font>',
        ].join("\n"),
      },
    });
  });

  it("holds every call of a full digest, escaped, within 4,096 bytes", async () => {
    await forFullDigests(wecom, { url }, ({ body }, calls, links) => {
      const content: string = body.markdown.content;
      expect(utf8Bytes(content)).toBeLessThanOrEqual(wecomLimits.markdownContent);
      const rows = withoutLinks(content.split("\n").slice(1, -1), links, linkSuffix);
      expect(rows).toHaveLength(calls.length);
      rows.forEach((row, i) => {
        expect(strongEscaped(row)).toBe(true);
        expect(row.endsWith(` · ${escapeMarkdown(calls[i]?.voiceId ?? "")}`)).toBe(true);
      });
    });
  });
});

describe("wecom template", () => {
  it("is the markdown content, values readable and escaped", async () => {
    const { body } = await renderTemplate(
      wecom,
      { url },
      '**{{intent}}** <font color="warning">{{callDescriptionLabel}}</font> {{chargedDuration}}',
      { intent: "<@all> `x` #1", chargedDuration: 3725 },
      chinese,
    );
    expect(body).toEqual({
      msgtype: "markdown",
      markdown: { content: '**\\<@all\\> \\`x\\` \\#1** <font color="warning">有效通话</font> 1小时02分05秒' },
    });
  });

  it("stays within 4,096 bytes and escapes any value", async () => {
    const source = `${"中".repeat(1000)} {{intent}} {{callee}} {{intentCode}} {{displayNum}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (intent, callee) => {
        const { body } = await renderTemplate(wecom, { url }, source, {
          intent,
          callee,
          intentCode: intent,
          displayNum: callee,
        });
        expect(utf8Bytes(body.markdown.content)).toBeLessThanOrEqual(wecomLimits.markdownContent);
        expect(markdownEscaped(body.markdown.content)).toBe(true);
      }),
      { numRuns: 50 },
    );
    expect(wecom.checkTemplate(templateParts(`${"中".repeat(1360)}{{intent}}`))).toMatch(/^is too long/);
  });
});

describe("wecom recording link", () => {
  const link = "https://relay.example/recordings/abc.def";

  it("is a link under the facts, in the destination's language", async () => {
    const { body } = await render(wecom, { url }, {}, {}, link);
    expect(body.markdown.content.endsWith(`\n[Listen to the recording](${link})`)).toBe(true);
    const zh = (await render(wecom, { url }, {}, chinese, link)).body;
    expect(zh.markdown.content.endsWith(`\n[收听录音](${link})`)).toBe(true);
    expect((await render(wecom, { url })).body.markdown.content).not.toContain("](");
  });

  it("links each row of a digest to its recording", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(wecom, { url }, sampleCalls(3), {}, urls);
    const rows: string[] = body.markdown.content.split("\n").slice(1, -1);
    expect(rows[0]?.endsWith(linkSuffix(urls[0] as string, "Recording"))).toBe(true);
    expect(rows[1]).not.toContain("](");
    expect(rows[2]?.endsWith(linkSuffix(urls[2] as string, "Recording"))).toBe(true);
  });
});
