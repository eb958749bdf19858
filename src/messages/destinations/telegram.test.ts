import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answer,
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
  withoutLinks,
} from "../../../test/chat/kit";
import { telegramLimits } from "../limits";
import { escapeHtml } from "../text";
import { type TelegramConfig, telegram } from "./telegram";

const config: TelegramConfig = { botToken: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", chatId: "-1001234567890" };

/** The text as Telegram shows it: tags removed, entities decoded. */
function shown(html: string): string {
  return html
    .replace(/<\/?(b|code|i|a)>|<a href="[^"]*">/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function expectWellFormed(text: string) {
  expect(text.length).toBeLessThanOrEqual(telegramLimits.text);
  expect(shown(text).length).toBeLessThanOrEqual(telegramLimits.text);
  const outsideTags = text.replace(/<\/?(b|code)>/g, "");
  expect(outsideTags).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
  expect(text.match(/<b>/g)?.length).toBe(text.match(/<\/b>/g)?.length);
  expect(text.match(/<code>/g)?.length ?? 0).toBe(text.match(/<\/code>/g)?.length ?? 0);
}

describe("telegram config", () => {
  const schema = telegram.configSchema({ allowHttp: true });
  const issues = (value: Record<string, unknown>) => schema.safeParse(value).error?.issues.map((i) => i.message);

  it("takes a bot token, a chat id or @channel, and a topic", () => {
    expect(schema.parse(config)).toEqual(config);
    expect(schema.parse({ ...config, chatId: -1001234567890, messageThreadId: 42 })).toEqual({
      ...config,
      messageThreadId: 42,
    });
    expect(schema.parse({ ...config, chatId: " @callrelay_ops " }).chatId).toBe("@callrelay_ops");
  });

  it("refuses a missing or malformed token and chat", () => {
    expect(issues({ chatId: "1" })).toEqual(["must be a string"]);
    expect(issues({ ...config, botToken: "123456789" })).toEqual([
      "must be a bot token from @BotFather: <digits>:<35 letters, digits, - or _>",
    ]);
    expect(issues({ ...config, botToken: "123:abc/../../x?y=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })).toHaveLength(1);
    expect(issues({ botToken: config.botToken })).toEqual(["must be a chat id or a @username"]);
    for (const chatId of ["", "chat", "@ab", "1.5", "-100 123"]) {
      expect(issues({ ...config, chatId })).toEqual([
        "must be a chat id such as -1001234567890 or a channel's @username",
      ]);
    }
    expect(issues({ ...config, messageThreadId: 0 })).toHaveLength(1);
    expect(issues({ ...config, messageThreadId: 1.5 })).toHaveLength(1);
    expect(issues({ ...config, apiBase: "ftp://localhost" })).toHaveLength(1);
    expect(issues({ ...config, apiUrl: "https://localhost" })).toHaveLength(1);
  });

  it("hides the token in API reads and masks the callee by default", () => {
    expect(telegram.secretFields).toEqual(["botToken"]);
    expect(telegram.chat).toBe(true);
  });
});

describe("telegram render", () => {
  it("sends the sample record as HTML through sendMessage", async () => {
    const { request, body } = await render(telegram, config);
    expect(request.url).toBe(`https://api.telegram.org/bot${config.botToken}/sendMessage`);
    expect(request.headers).toEqual({ "content-type": "application/json", "user-agent": "callrelay/0.1" });
    expect(body).toMatchInlineSnapshot(`
      {
        "chat_id": "-1001234567890",
        "link_preview_options": {
          "is_disabled": true,
        },
        "parse_mode": "HTML",
        "text": "<b>Connected-Customer No Responsern</b>

      <b>Callee</b>: <code>222***************0007</code>
      <b>Caller ID</b>: <code>5034040</code>
      <b>Answered</b>: 2026-03-26 15:22:28 (Asia/Shanghai)
      <b>Talk time</b>: 35s
      <b>Status</b>: connected
      <b>Result</b>: valid_call
      <b>Intent code</b>: 302
      <b>Task / script</b>: 5034040 / 63
      <b>Recording</b>: 260326152224160100152.wav
      <b>Call ID</b>: <code>260326152224160100152</code>",
      }
    `);
    expectWellFormed(body.text);
  });

  it("speaks Chinese", async () => {
    const { body } = await render(telegram, { ...config, messageThreadId: 7 }, {}, chinese);
    expect(body.message_thread_id).toBe(7);
    expect(body.text).toMatchInlineSnapshot(`
      "<b>Connected-Customer No Responsern</b>

      <b>被叫</b>：<code>222***************0007</code>
      <b>主叫</b>：<code>5034040</code>
      <b>接通时间</b>：2026-03-26 15:22:28 (Asia/Shanghai)
      <b>通话时长</b>：35秒
      <b>接通状态</b>：已接通
      <b>通话描述</b>：有效通话
      <b>意图代码</b>：302
      <b>任务 / 话术</b>：5034040 / 63
      <b>录音</b>：260326152224160100152.wav
      <b>通话 ID</b>：<code>260326152224160100152</code>"
    `);
    expectWellFormed(body.text);
  });

  it("escapes user text and shows the callee whole when told to", async () => {
    const { body } = await render(
      telegram,
      config,
      { intent: "</b><a href='https://evil.test'>R&D</a>", callee: "<b>2222222228613200000007</b>" },
      { maskCallee: false },
    );
    expect(body.text.split("\n")[0]).toBe("<b>&lt;/b&gt;&lt;a href='https://evil.test'&gt;R&amp;D&lt;/a&gt;</b>");
    expect(body.text).toContain("<code>&lt;b&gt;2222222228613200000007&lt;/b&gt;</code>");
    expectWellFormed(body.text);
  });

  it("stays within 4,096 characters and escapes any intent or callee", async () => {
    await forHostileCalls(telegram, config, ({ body }) => expectWellFormed(body.text));
  });
});

describe("telegram classify", () => {
  it("delivers when Telegram says ok", () => {
    expect(telegram.classify(answer(200, { ok: true, result: { message_id: 1 } }))).toEqual({ outcome: "delivered" });
  });

  it("retries a 2xx it cannot read as ok", () => {
    expect(telegram.classify(answer(200, { ok: false }))).toEqual({
      outcome: "retry",
      reason: 'Telegram did not confirm the message: HTTP 200: {"ok":false}',
    });
    expect(telegram.classify(answer(200, "ok"))).toMatchObject({ outcome: "retry" });
  });

  it.each([
    [400, "Bad Request: chat not found"],
    [400, "Bad Request: message thread not found"],
    [400, "Bad Request: not enough rights to send text messages to the chat"],
    [400, "Bad Request: TOPIC_CLOSED"],
    [401, "Unauthorized"],
    [403, "Forbidden: bot was blocked by the user"],
    [403, "Forbidden: bot was kicked from the supergroup chat"],
    [403, "Forbidden: bot is not a member of the channel chat"],
    [404, "Not Found"],
  ])("fails for good on %i %s", (status, description) => {
    const verdict = telegram.classify(answer(status, { ok: false, error_code: status, description }));
    expect(verdict).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(`^Telegram answered ${status}: ${description}: `),
    });
  });

  it("tells the new chat id of a group that became a supergroup", () => {
    const body = {
      ok: false,
      error_code: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      parameters: { migrate_to_chat_id: -1009876543210 },
    };
    expect(telegram.classify(answer(400, body))).toEqual({
      outcome: "failed",
      reason:
        "Telegram answered 400: Bad Request: group chat was upgraded to a supergroup chat: the group became a supergroup; set chatId to -1009876543210",
    });
  });

  it("retries flood control after retry_after", () => {
    const body = {
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 35",
      parameters: { retry_after: 35 },
    };
    expect(telegram.classify(answer(429, body))).toEqual({
      outcome: "retry",
      reason: "Telegram answered 429: Too Many Requests: retry after 35",
      retryAfterSeconds: 35,
    });
    expect(telegram.classify(answer(429, "", { "retry-after": "12" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 429",
      retryAfterSeconds: 12,
    });
    expect(telegram.classify(answer(429, ""))).toEqual({ outcome: "retry", reason: "HTTP 429" });
  });

  it("retries server errors and other bad requests", () => {
    expect(telegram.classify(answer(502, "Bad Gateway"))).toEqual({
      outcome: "retry",
      reason: "HTTP 502: Bad Gateway",
    });
    expect(
      telegram.classify(
        answer(400, { ok: false, description: "Bad Request: can't parse entities: unexpected end tag" }),
      ),
    ).toEqual({
      outcome: "retry",
      reason: "Telegram answered 400: Bad Request: can't parse entities: unexpected end tag",
    });
  });
});

describe("telegram digest", () => {
  it("lists the calls under their count, a line each, with a legend", async () => {
    const { request, body } = await renderDigest(telegram, config, sampleCalls(2));
    expect(request.url).toBe(`https://api.telegram.org/bot${config.botToken}/sendMessage`);
    expect(body).toEqual({
      chat_id: "-1001234567890",
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      text: [
        "<b>2 calls</b>",
        "",
        "• <b>Intent 1</b> (302) · <code>222***************0007</code> · 35s · 03-26 15:22 · <code>1</code>",
        "• <b>Intent 2</b> (302) · <code>222***************0007</code> · 35s · 03-26 15:22 · <code>2</code>",
        "",
        "<i>Intent (Intent code) · Callee · Talk time · Answered · Call ID; times in Asia/Shanghai</i>",
      ].join("\n"),
    });
    expect((await renderDigest(telegram, config, sampleCalls(2), chinese)).body.text).toMatch(/^<b>2 通电话<\/b>\n/);
  });

  it("holds every call of a full digest, escaped, within 4,096 characters", async () => {
    await forFullDigests(telegram, config, ({ body }, calls, links) => {
      const text: string = body.text;
      expect(shown(text).length).toBeLessThanOrEqual(telegramLimits.text);
      const lines = text.split("\n");
      const rows = withoutLinks(lines.slice(2, -2), links, (url, label) => ` · <a href="${url}">${label}</a>`);
      expect(
        [...lines.slice(0, 2), ...rows, ...lines.slice(-2)].join("\n").replace(/<\/?(b|code|i)>/g, ""),
      ).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      expect(rows).toHaveLength(calls.length);
      rows.forEach((row, i) => {
        expect(row.endsWith(` · <code>${escapeHtml(calls[i]?.voiceId ?? "")}</code>`)).toBe(true);
      });
    });
  });
});

describe("telegram template", () => {
  it("is the message text, HTML with readable values escaped", async () => {
    const { body } = await renderTemplate(
      telegram,
      config,
      "<b>{{intent}}</b> · <code>{{callee}}</code> · {{hangupTime}} · {{ringDuration}} · {{callStatusLabel}}",
      { intent: "</b><a href='https://evil.test'>R&D</a>" },
      chinese,
    );
    expect(body).toMatchObject({ chat_id: "-1001234567890", parse_mode: "HTML" });
    expect(body.text).toBe(
      "<b>&lt;/b&gt;&lt;a href='https://evil.test'&gt;R&amp;D&lt;/a&gt;</b> · <code>222***************0007</code> · 2026-03-26 15:23:03 (Asia/Shanghai) · 1秒 · 已接通",
    );
  });

  it("stays within 4,096 characters and escapes any value", async () => {
    const source = `<b>${"x".repeat(3500)}</b> {{intent}} <code>{{callee}}</code> {{intentCode}} {{displayNum}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (intent, callee) => {
        const { body } = await renderTemplate(telegram, config, source, {
          intent,
          callee,
          intentCode: intent,
          displayNum: callee,
        });
        expect(shown(body.text).length).toBeLessThanOrEqual(telegramLimits.text);
        expect(body.text.replace(/<\/?(b|code)>/g, "")).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a template whose text leaves too little room", () => {
    expect(telegram.checkTemplate(templateParts(`${"x".repeat(4060)}{{intent}}{{callee}}`))).toMatch(
      /^is too long for this destination: its text takes 4060 characters/,
    );
  });
});

describe("telegram apiBase", () => {
  it("sends to a self-hosted Bot API server when set, to api.telegram.org otherwise", async () => {
    const { request } = await render(telegram, { ...config, apiBase: "http://127.0.0.1:8081/" });
    expect(request.url).toBe(`http://127.0.0.1:8081/bot${config.botToken}/sendMessage`);
    expect((await render(telegram, config)).request.url).toBe(
      `https://api.telegram.org/bot${config.botToken}/sendMessage`,
    );
  });

  it("takes https anywhere, and http only to loopback where the deployment allows it", () => {
    const parse = (allowHttp: boolean, apiBase: string) =>
      telegram.configSchema({ allowHttp }).safeParse({ ...config, apiBase }).success;
    expect(parse(false, "https://tg.example.com/api")).toBe(true);
    expect(parse(true, "http://localhost:8081")).toBe(true);
    expect(parse(false, "http://localhost:8081")).toBe(false);
    expect(parse(true, "http://tg.example.com")).toBe(false);
    expect(parse(true, "https://tg.example.com/?token=x")).toBe(false);
  });
});

describe("telegram recording link", () => {
  const link = "https://relay.example/recordings/abc.def";

  it("is a button under the message, in the destination's language", async () => {
    const { body } = await render(telegram, config, {}, {}, link);
    expect(body.reply_markup).toEqual({ inline_keyboard: [[{ text: "Listen to the recording", url: link }]] });
    const zh = (await render(telegram, config, {}, chinese, link)).body;
    expect(zh.reply_markup.inline_keyboard[0][0].text).toBe("收听录音");
    expect((await render(telegram, config)).body.reply_markup).toBeUndefined();
  });

  it("links each row of a digest to its recording", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(telegram, config, sampleCalls(3), {}, urls);
    const rows: string[] = body.text.split("\n").slice(2, -2);
    expect(rows[0]?.endsWith(` · <a href="${urls[0]}">Recording</a>`)).toBe(true);
    expect(rows[1]).not.toContain("href");
    expect(rows[2]?.endsWith(` · <a href="${urls[2]}">Recording</a>`)).toBe(true);
    expect(body.reply_markup).toBeUndefined();
  });
});
