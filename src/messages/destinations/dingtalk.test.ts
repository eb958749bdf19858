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
import { dingtalkLimits } from "../limits";
import { escapeMarkdown, utf8Bytes } from "../text";
import { dingtalk } from "./dingtalk";

const url =
  "https://oapi.dingtalk.com/robot/send?access_token=6c7bf2a1d0e94a5f8b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a";
const secret = "SEC3f1c9d0b8a7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c";

/** The user-supplied parts of a markdown text: the heading after `### ` and each value after the label. */
function userParts(text: string): string[] {
  const [heading = "", ...lines] = text.split("\n");
  return [heading.replace(/^### /, ""), ...lines.map((line) => line.replace(/^- \*\*[^*]+\*\*(: |：)/, ""))];
}

function expectWellFormed(body: string, text: string) {
  expect(utf8Bytes(body)).toBeLessThanOrEqual(dingtalkLimits.body);
  const unlinked = text.replace(/\n\n\[[^\]]+\]\(https:[^)]+\)$/, "");
  const lines = unlinked.split("\n");
  expect(lines).toHaveLength(11);
  expect(lines[0]).toMatch(/^### ./);
  for (const line of lines.slice(1)) expect(line).toMatch(/^- \*\*[^*\\]+\*\*(: |：)./);
  for (const part of userParts(unlinked)) expect(markdownEscaped(part)).toBe(true);
}

describe("dingtalk config", () => {
  const schema = dingtalk.configSchema({ allowHttp: false });
  const problem = (value: Record<string, unknown>) => schema.safeParse(value).error?.issues[0]?.message;
  const notDingtalk = "must be a DingTalk robot webhook URL: https://oapi.dingtalk.com/robot/send?access_token=…";

  it("takes a robot URL with an optional SEC secret", () => {
    expect(schema.parse({ url, secret })).toEqual({ url, secret });
    expect(schema.parse({ url })).toEqual({ url });
  });

  it("refuses other URLs, a missing token, plain http and a malformed secret", () => {
    expect(problem({ url: "https://oapi.dingtalk.com/robot/send" })).toBe(notDingtalk);
    expect(problem({ url: "https://oapi.dingtalk.com/robot/send?access_token=" })).toBe(notDingtalk);
    expect(problem({ url: "https://oapi.dingtalk.com/robot/other?access_token=abc" })).toBe(notDingtalk);
    expect(problem({ url: "https://oapi.dingtalk.com.evil.test/robot/send?access_token=abc" })).toBe(notDingtalk);
    expect(problem({ url: url.replace("https:", "http:") })).toMatch(/must use https/);
    expect(problem({ url, secret: "3f1c9d0b8a7e" })).toBe("must be the robot's signing secret, starting with SEC");
    expect(problem({ url, atAll: true })).toBeDefined();
  });

  it("hides the URL and the secret in API reads", () => {
    expect(dingtalk.secretFields).toEqual(["url", "secret"]);
    expect(dingtalk.chat).toBe(true);
  });
});

describe("dingtalk render", () => {
  it("posts the sample record as markdown that mentions nobody", async () => {
    const { request, body } = await render(dingtalk, { url });
    expect(request.url).toBe(url);
    expect(body).toMatchInlineSnapshot(`
      {
        "at": {
          "isAtAll": false,
        },
        "markdown": {
          "text": "### Connected-Customer No Responsern
      - **Callee**: 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007
      - **Caller ID**: 5034040
      - **Answered**: 2026-03-26 15:22:28 (Asia/Shanghai)
      - **Talk time**: 35s
      - **Status**: connected
      - **Result**: valid\\_call
      - **Intent code**: 302
      - **Task / script**: 5034040 / 63
      - **Recording**: 260326152224160100152.wav
      - **Call ID**: 260326152224160100152",
          "title": "Connected-Customer No Responsern",
        },
        "msgtype": "markdown",
      }
    `);
    expectWellFormed(request.body, body.markdown.text);
  });

  it("speaks Chinese", async () => {
    const { body } = await render(dingtalk, { url }, {}, chinese);
    expect(body.markdown.text).toMatchInlineSnapshot(`
      "### Connected-Customer No Responsern
      - **被叫**：222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007
      - **主叫**：5034040
      - **接通时间**：2026-03-26 15:22:28 (Asia/Shanghai)
      - **通话时长**：35秒
      - **接通状态**：已接通
      - **通话描述**：有效通话
      - **意图代码**：302
      - **任务 / 话术**：5034040 / 63
      - **录音**：260326152224160100152.wav
      - **通话 ID**：260326152224160100152"
    `);
  });

  it("signs as DingTalk documents: urlencode(base64(HMAC-SHA256(secret, timestamp + \\n + secret)))", async () => {
    const { request } = await render(dingtalk, { url, secret });
    const timestamp = String(attemptAt);
    const expected = encodeURIComponent(
      createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64"),
    );
    expect(request.url).toBe(`${url}&timestamp=${timestamp}&sign=${expected}`);
    expect(expected).toMatch(/%2B|%2F|%3D/);
  });

  it("escapes user text and stays within 20,000 bytes", async () => {
    await forHostileCalls(dingtalk, { url, secret }, ({ request, body }) => {
      expectWellFormed(request.body, body.markdown.text);
      expect(body.at).toEqual({ isAtAll: false });
    });
  });
});

describe("dingtalk classify", () => {
  it("delivers only on errcode 0", () => {
    expect(dingtalk.classify(answer(200, { errcode: 0, errmsg: "ok" }))).toEqual({ outcome: "delivered" });
  });

  it.each([
    [310000, "keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"],
    [310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"],
    [310000, "ip 203.0.113.7 not in whitelist"],
    [300001, "token is not exist"],
    [300005, "token is not exist"],
    [400102, "robot is stopped"],
  ])("fails for good on errcode %i %s (HTTP 200)", (errcode, errmsg) => {
    const verdict = dingtalk.classify(answer(200, { errcode, errmsg }));
    expect(verdict).toMatchObject({ outcome: "failed" });
    expect((verdict as { reason: string }).reason.startsWith(`DingTalk answered ${errcode} ${errmsg}: `)).toBe(true);
  });

  it("retries the rate limit after the 10-minute throttle", () => {
    expect(
      dingtalk.classify(answer(200, { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" })),
    ).toEqual({
      outcome: "retry",
      reason: "DingTalk answered 130101 send too fast, exceed 20 times per minute",
      retryAfterSeconds: 600,
    });
  });

  it("retries a busy system and unknown codes on the schedule", () => {
    expect(dingtalk.classify(answer(200, { errcode: -1, errmsg: "系统繁忙" }))).toEqual({
      outcome: "retry",
      reason: "DingTalk answered -1 系统繁忙",
    });
    expect(dingtalk.classify(answer(200, ""))).toMatchObject({ outcome: "retry" });
    expect(dingtalk.classify(answer(503, "", { "retry-after": "9" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 503",
      retryAfterSeconds: 9,
    });
  });
});

describe("dingtalk digest", () => {
  it("lists the calls under their count, a list item each, with the legend quoted", async () => {
    const { body } = await renderDigest(dingtalk, { url }, sampleCalls(2));
    expect(body).toEqual({
      msgtype: "markdown",
      at: { isAtAll: false },
      markdown: {
        title: "2 calls",
        text: [
          "### 2 calls",
          "- **Intent 1** (302) · 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 · 35s · 03-26 15:22 · 1",
          "- **Intent 2** (302) · 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 · 35s · 03-26 15:22 · 2",
          "",
          "> Intent (Intent code) · Callee · Talk time · Answered · Call ID; times in Asia/Shanghai",
        ].join("\n"),
      },
    });
  });

  it("holds every call of a full digest, escaped, within 20,000 bytes", async () => {
    await forFullDigests(dingtalk, { url, secret }, ({ request, body }, calls, links) => {
      expect(utf8Bytes(request.body)).toBeLessThanOrEqual(dingtalkLimits.body);
      const rows = withoutLinks(body.markdown.text.split("\n").slice(1, -2), links, linkSuffix);
      expect(rows).toHaveLength(calls.length);
      rows.forEach((row, i) => {
        expect(row.startsWith("- ")).toBe(true);
        expect(strongEscaped(row.slice(2))).toBe(true);
        expect(row.endsWith(` · ${escapeMarkdown(calls[i]?.voiceId ?? "")}`)).toBe(true);
      });
    });
  });
});

describe("dingtalk template", () => {
  it("is the markdown text, values readable and escaped; the intent stays the notification title", async () => {
    const { request, body } = await renderTemplate(
      dingtalk,
      { url, secret },
      "#### {{intent}}\n- callee: {{callee}}\n- answered: {{answerTime}}",
      { intent: "**Act now** [here](https://evil.test)" },
      { timezone: "Europe/Berlin" },
    );
    expect(request.url).toMatch(/&timestamp=\d+&sign=/);
    expect(body).toEqual({
      msgtype: "markdown",
      at: { isAtAll: false },
      markdown: {
        title: "**Act now** [here](https://evil.test)",
        text: "#### \\*\\*Act now\\*\\* \\[here\\](https://evil.test)\n- callee: 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007\n- answered: 2026-03-26 08:22:28 (Europe/Berlin)",
      },
    });
  });

  it("stays within 20,000 bytes and escapes any value", async () => {
    const source = `${"中".repeat(5000)} {{intent}} {{callee}} {{intentCode}} {{displayNum}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (intent, callee) => {
        const { request, body } = await renderTemplate(dingtalk, { url, secret }, source, {
          intent,
          callee,
          intentCode: intent,
          displayNum: callee,
        });
        expect(utf8Bytes(request.body)).toBeLessThanOrEqual(dingtalkLimits.body);
        expect(markdownEscaped(body.markdown.text)).toBe(true);
      }),
      { numRuns: 50 },
    );
    expect(dingtalk.checkTemplate(templateParts(`${"中".repeat(6200)}{{intent}}`))).toMatch(/^is too long/);
  });
});

describe("dingtalk recording link", () => {
  const link = "https://relay.example/recordings/abc.def";

  it("is a link under the facts, in the destination's language", async () => {
    const { body } = await render(dingtalk, { url }, {}, {}, link);
    expect(body.markdown.text.endsWith(`\n\n[Listen to the recording](${link})`)).toBe(true);
    const zh = (await render(dingtalk, { url }, {}, chinese, link)).body;
    expect(zh.markdown.text.endsWith(`\n\n[收听录音](${link})`)).toBe(true);
    expect((await render(dingtalk, { url })).body.markdown.text).not.toContain("](");
  });

  it("links each row of a digest to its recording", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(dingtalk, { url }, sampleCalls(3), {}, urls);
    const rows: string[] = body.markdown.text.split("\n").slice(1, -2);
    expect(rows[0]?.endsWith(linkSuffix(urls[0] as string, "Recording"))).toBe(true);
    expect(rows[1]).not.toContain("](");
    expect(rows[2]?.endsWith(linkSuffix(urls[2] as string, "Recording"))).toBe(true);
  });
});
