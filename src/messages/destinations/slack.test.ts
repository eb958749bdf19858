import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chinese,
  forFullDigests,
  hostileText,
  linkOrNot,
  recordingUrlOf,
  renderDigest,
  renderTemplate,
  sampleCalls,
  templateParts,
  withoutLinks,
} from "../../../test/chat/kit";
import sample from "../../../test/fixtures/sample-push.json";
import type { NormalizedCall } from "../../model/calls/fields";
import { normalize } from "../../model/calls/normalize";
import { parseRecord } from "../../model/calls/record-schema";
import { slackLimits } from "../limits";
import { escapeHtml } from "../text";
import type { DestinationOptions, ReceiverResponse } from "../types";
import { slack } from "./slack";

const parsed = parseRecord(sample.array[0]);
if (!parsed.ok) throw new Error(parsed.error);
const call = normalize(parsed.report, "src_default", 1774509790000);
const options: DestinationOptions = { timezone: "Asia/Shanghai", locale: "en", maskCallee: true };
const url = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";

type Text = { type: string; text: string };
type Button = { type: string; text: Text; url: string };
type Block = { type: string; text?: Text; fields?: Text[]; elements?: Button[] };
type Message = { text: string; blocks: Block[] };

async function render(
  changes: Partial<NormalizedCall> = {},
  opts: Partial<DestinationOptions> = {},
  recordingUrl?: string,
) {
  const request = await slack.render({
    config: { url },
    call: { ...call, ...changes },
    options: { ...options, ...opts },
    deliveryId: "dlv_test123",
    now: 1774509791000,
    extraSecrets: [],
    recordingUrl,
  });
  return { request, message: JSON.parse(request.body) as Message };
}

function texts(message: Message): string[] {
  return [
    message.text,
    ...message.blocks.flatMap((b) => [b.text?.text ?? [], ...(b.fields ?? []).map((f) => f.text)]).flat(),
  ];
}

function expectWithinLimits(message: Message) {
  expect(message.blocks.length).toBeLessThanOrEqual(slackLimits.blocks);
  for (const block of message.blocks) {
    if (block.type === "header") {
      expect(block.text?.type).toBe("plain_text");
      expect(block.text?.text.length).toBeGreaterThan(0);
      expect(block.text?.text.length).toBeLessThanOrEqual(slackLimits.headerText);
    } else if (block.type === "actions") {
      const [button, ...more] = block.elements ?? [];
      expect(more).toEqual([]);
      expect(button?.type).toBe("button");
      expect(button?.text.text.length).toBeLessThanOrEqual(slackLimits.buttonText);
      expect(button?.url.length).toBeLessThanOrEqual(slackLimits.buttonUrl);
    } else {
      expect(block.type).toBe("section");
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(slackLimits.sectionFields);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(slackLimits.fieldText);
    }
  }
  for (const text of texts(message)) {
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
  }
}

const answer = (status: number, body: string, headers: Record<string, string> = {}): ReceiverResponse => ({
  status,
  headers: new Headers(headers),
  body,
});

describe("slack config", () => {
  const schema = slack.configSchema({ allowHttp: false });
  const dev = slack.configSchema({ allowHttp: true });
  const problem = (s: typeof schema, value: string) => s.safeParse({ url: value }).error?.issues[0]?.message;

  it("takes Slack incoming-webhook URLs", () => {
    expect(schema.parse({ url })).toEqual({ url });
    expect(schema.parse({ url: "https://hooks.slack-gov.com/services/T1/B1/abc" }).url).toBe(
      "https://hooks.slack-gov.com/services/T1/B1/abc",
    );
  });

  it("refuses other URLs", () => {
    const notSlack = "must be a Slack incoming-webhook URL: https://hooks.slack.com/services/…";
    expect(problem(schema, "https://example.com/services/T/B/X")).toBe(notSlack);
    expect(problem(schema, "https://hooks.slack.com/workflows/T/A/1/x")).toBe(notSlack);
    expect(problem(schema, "https://hooks.slack.com/services/")).toBe(notSlack);
    expect(problem(schema, "https://hooks.slack.com.evil.test/services/T/B/X")).toBe(notSlack);
    expect(problem(schema, "http://hooks.slack.com/services/T/B/X")).toMatch(/must use https/);
    expect(problem(schema, "http://localhost:8787/slack")).toMatch(/must use https/);
    expect(problem(dev, "https://example.com/slack")).toBe(notSlack);
  });

  it("takes a loopback receiver when plain http is allowed", () => {
    expect(dev.parse({ url: "http://localhost:8787/slack" }).url).toBe("http://localhost:8787/slack");
    expect(dev.parse({ url: "http://127.0.0.1:9000/" }).url).toBe("http://127.0.0.1:9000/");
  });

  it("masks the URL in API reads, since its path is the token", () => {
    expect(slack.secretFields).toEqual(["url"]);
    expect(slack.chat).toBe(true);
  });
});

describe("slack render", () => {
  it("renders the sample record as Block Kit", async () => {
    const { request, message } = await render();
    expect(request.url).toBe(url);
    expect(request.headers).toEqual({ "content-type": "application/json", "user-agent": "callrelay/0.1" });
    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Connected-Customer No Responsern",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "fields": [
              {
                "text": "*Callee*
      \`222***************0007\`",
                "type": "mrkdwn",
              },
              {
                "text": "*Caller ID*
      \`5034040\`",
                "type": "mrkdwn",
              },
              {
                "text": "*Answered*
      2026-03-26 15:22:28 (Asia/Shanghai)",
                "type": "mrkdwn",
              },
              {
                "text": "*Talk time*
      35s",
                "type": "mrkdwn",
              },
              {
                "text": "*Status*
      connected",
                "type": "mrkdwn",
              },
              {
                "text": "*Result*
      valid_call",
                "type": "mrkdwn",
              },
              {
                "text": "*Intent code*
      302",
                "type": "mrkdwn",
              },
              {
                "text": "*Task / script*
      5034040 / 63",
                "type": "mrkdwn",
              },
              {
                "text": "*Recording*
      260326152224160100152.wav",
                "type": "mrkdwn",
              },
              {
                "text": "*Call ID*
      \`260326152224160100152\`",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
        ],
        "text": "Connected-Customer No Responsern · Callee: 222***************0007 · Talk time: 35s",
      }
    `);
    expectWithinLimits(message);
  });

  it("labels in Chinese", async () => {
    const { message } = await render({}, { locale: "zh" });
    const all = texts(message).join("\n");
    for (const label of ["*被叫*", "*主叫*", "*接通时间*", "*通话时长*\n35秒", "*接通状态*", "*意图代码*"]) {
      expect(all).toContain(label);
    }
  });

  it("masks the callee unless told not to", async () => {
    expect(texts((await render()).message).join("\n")).toContain("`222***************0007`");
    const plain = texts((await render({}, { maskCallee: false })).message).join("\n");
    expect(plain).toContain("`2222222228613200000007`");
    expect(plain).toContain("Callee: 2222222228613200000007");
  });

  it("escapes what Slack would parse", async () => {
    const { message } = await render({ intent: "<!channel> R&D <@U123> <https://evil.test|click>", callee: "<!here>" });
    expect(message.blocks[0]?.text?.text).toBe(
      "&lt;!channel&gt; R&amp;D &lt;@U123&gt; &lt;https://evil.test|click&gt;",
    );
    expectWithinLimits(message);
  });

  it("falls back to a title without an intent, and shows a dash for missing facts", async () => {
    const { message } = await render({
      intent: null,
      callee: null,
      answerTime: null,
      callDuration: null,
      recordingFileId: "  ",
      callStatusLabel: null,
      callStatusNew: 7,
    });
    expect(message.blocks[0]?.text?.text).toBe("Call report");
    const all = texts(message).join("\n");
    expect(all).toContain("*Callee*\n—");
    expect(all).toContain("*Answered*\n—");
    expect(all).toContain("*Talk time*\n—");
    expect(all).toContain("*Recording*\n—");
    expect(all).toContain("*Status*\n7");
    expect(message.text).toBe("Call report · Callee: — · Talk time: —");
  });

  it("truncates a 10,000-character intent, keeping it whole in a section", async () => {
    const intent = `${"&".repeat(10)}${"x".repeat(9990)}`;
    const { message } = await render({ intent, displayNum: "9".repeat(10_000) });
    const header = message.blocks[0]?.text?.text ?? "";
    expect(header).toHaveLength(150);
    expect(header.endsWith("x…")).toBe(true);
    expect(header.startsWith("&amp;".repeat(10))).toBe(true);
    const intentSection = message.blocks[1]?.text?.text ?? "";
    expect(intentSection.startsWith("*Intent*\n&amp;")).toBe(true);
    expect(intentSection).toHaveLength(slackLimits.sectionText);
    expect(intentSection.endsWith("…")).toBe(true);
    expectWithinLimits(message);
  });

  it("never cuts an entity or a surrogate pair in half", async () => {
    const { message } = await render({ intent: `${"a".repeat(147)}&😀😀` });
    expect(message.blocks[0]?.text?.text).toBe(`${"a".repeat(147)}…`);
    const emoji = await render({ intent: `${"a".repeat(148)}😀😀` });
    expect(emoji.message.blocks[0]?.text?.text).toBe(`${"a".repeat(148)}…`);
  });

  it("stays within every limit and escapes any intent or callee", async () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 4000 }),
      fc.string({ unit: fc.constantFrom("<", ">", "&", "!", "a", " ", "\n", "😀", "`", "*"), maxLength: 12_000 }),
      fc.constantFrom("<!channel>", "<!here|here>", "&lt;", "a > b"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.option(text),
        fc.option(text),
        fc.boolean(),
        linkOrNot,
        async (intent, callee, maskCallee, link) => {
          const { message } = await render({ intent, callee, displayNum: callee }, { maskCallee }, link ?? undefined);
          expectWithinLimits(message);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("slack classify", () => {
  it("delivers on 200 ok", () => {
    expect(slack.classify(answer(200, "ok"))).toEqual({ outcome: "delivered" });
  });

  it.each([
    [400, "invalid_payload"],
    [403, "action_prohibited"],
    [403, "invalid_token"],
    [403, "posting_to_general_channel_denied"],
    [404, "channel_not_found"],
    [404, "no_service"],
    [404, "no_active_hooks"],
    [404, "no_team"],
    [404, "team_disabled"],
    [400, "no_service_id"],
    [410, "channel_is_archived"],
  ])("fails for good on %i %s", (status, error) => {
    const verdict = slack.classify(answer(status, `${error}\n`));
    expect(verdict).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(`^Slack answered ${status} ${error}: `),
    });
  });

  it("names the problem in the reason", () => {
    expect(slack.classify(answer(404, "no_service"))).toEqual({
      outcome: "failed",
      reason: "Slack answered 404 no_service: the webhook was disabled, removed or is invalid",
    });
  });

  it("retries rate limits after Retry-After", () => {
    expect(slack.classify(answer(429, "rate_limited", { "Retry-After": "30" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 429: rate_limited",
      retryAfterSeconds: 30,
    });
    expect(slack.classify(answer(429, "rate_limited"))).toEqual({ outcome: "retry", reason: "HTTP 429: rate_limited" });
  });

  it("retries server errors and unknown answers", () => {
    expect(slack.classify(answer(500, "rollup_error"))).toEqual({ outcome: "retry", reason: "HTTP 500: rollup_error" });
    expect(slack.classify(answer(503, "", { "retry-after": "120" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 503",
      retryAfterSeconds: 120,
    });
    expect(slack.classify(answer(400, "invalid_blocks"))).toEqual({
      outcome: "retry",
      reason: "HTTP 400: invalid_blocks",
    });
    expect(slack.classify(answer(404, "<html>Not Found</html>"))).toMatchObject({ outcome: "retry" });
    expect(slack.classify(answer(400, "constructor"))).toMatchObject({ outcome: "retry" });
  });

  it("fails for good on 410 whatever the body", () => {
    expect(slack.classify(answer(410, ""))).toEqual({ outcome: "failed", reason: "HTTP 410" });
  });

  it("does not read an error code out of a success", () => {
    expect(slack.classify(answer(200, "no_service"))).toEqual({ outcome: "delivered" });
  });
});

describe("slack digest", () => {
  type Digest = { text: string; blocks: { type: string; text?: Text; elements?: Text[] }[] };

  it("lists the calls under their count, a section each, with a legend", async () => {
    const { request, body } = await renderDigest(slack, { url }, sampleCalls(2));
    expect(request.url).toBe(url);
    expect(body).toEqual({
      text: "2 calls",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "2 calls" } },
        {
          type: "section",
          text: { type: "mrkdwn", text: "*Intent 1* (302) · `222***************0007` · 35s · 03-26 15:22 · `1`" },
        },
        {
          type: "section",
          text: { type: "mrkdwn", text: "*Intent 2* (302) · `222***************0007` · 35s · 03-26 15:22 · `2`" },
        },
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: "Intent (Intent code) · Callee · Talk time · Answered · Call ID; times in Asia/Shanghai",
            },
          ],
        },
      ],
    });
  });

  it("counts in Chinese", async () => {
    const { body } = await renderDigest(slack, { url }, sampleCalls(3), chinese);
    expect(body.text).toBe("3 通电话");
    expect(body.blocks[1].text.text).toBe("*Intent 1* (302) · `222***************0007` · 35秒 · 03-26 15:22 · `1`");
    expect(body.blocks.at(-1).elements[0].text).toBe(
      "意图 (意图代码) · 被叫 · 通话时长 · 接通时间 · 通话 ID；时间为 Asia/Shanghai",
    );
  });

  it("holds every call of a full digest, escaped, within Block Kit's limits", async () => {
    await forFullDigests(slack, { url }, ({ body }: { body: Digest }, calls, links) => {
      expect(body.blocks.length).toBeLessThanOrEqual(slackLimits.blocks);
      const [header, ...sections] = body.blocks;
      const context = sections.pop();
      expect(header?.text?.text.length).toBeLessThanOrEqual(slackLimits.headerText);
      expect(context?.elements?.[0]?.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
      expect(sections).toHaveLength(calls.length);
      for (const section of sections) expect(section.text?.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
      const texts = sections.map((section) => section.text?.text ?? "");
      withoutLinks(texts, links, (url, label) => ` · <${url}|${label}>`).forEach((text, i) => {
        expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
        expect(text.endsWith(` · \`${escapeHtml(calls[i]?.voiceId.replaceAll("`", "'") ?? "")}\``)).toBe(true);
      });
    });
  });
});

describe("slack template", () => {
  const source =
    "*{{intent}}* for {{callee}} at {{answerTime}}: {{callDuration}}, connected {{connected}}, {{callDescriptionLabel}}, task {{sourceTaskId}}";

  it("is the message text, with readable values escaped for mrkdwn", async () => {
    const { request, body } = await renderTemplate(slack, { url }, source, { intent: "<!channel> R&D" });
    expect(request.url).toBe(url);
    expect(body).toEqual({
      text: "*&lt;!channel&gt; R&amp;D* for 222***************0007 at 2026-03-26 15:22:28 (Asia/Shanghai): 35s, connected yes, valid_call, task —",
    });
    const zh = await renderTemplate(slack, { url }, source, {}, { ...chinese, maskCallee: false, timezone: "UTC" });
    expect(zh.body.text).toBe(
      "*Connected-Customer No Responsern* for 2222222228613200000007 at 2026-03-26 07:22:28 (UTC): 35秒, connected 是, 有效通话, task —",
    );
  });

  it("stays within 4,000 characters and escapes any value", async () => {
    const long = `${"x".repeat(3000)} {{intent}} {{callee}} {{intentCode}} {{displayNum}} {{terminationReason}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, fc.boolean(), async (intent, callee, maskCallee) => {
        const { body } = await renderTemplate(
          slack,
          { url },
          long,
          { intent, callee, intentCode: intent, displayNum: callee, terminationReason: intent },
          { maskCallee },
        );
        expect(body.text.length).toBeLessThanOrEqual(slackLimits.text);
        expect(body.text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a template whose text leaves each field less than 24 characters", () => {
    expect(slack.checkTemplate(templateParts(`${"x".repeat(slackLimits.text - 48)}{{intent}}{{callee}}`))).toBe(
      undefined,
    );
    expect(slack.checkTemplate(templateParts(`${"x".repeat(slackLimits.text - 47)}{{intent}}{{callee}}`))).toBe(
      "is too long for this destination: its text takes 3953 characters and each of its 2 fields 24, of at most 4000",
    );
  });
});

describe("slack recording link", () => {
  const link = "https://relay.example/recordings/abc.def";

  it("is a button under the facts, in the destination's language", async () => {
    const { message } = await render({}, {}, link);
    expect(message.blocks.at(-1)).toEqual({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Listen to the recording" }, url: link }],
    });
    const zh = (await render({}, { locale: "zh" }, link)).message;
    expect(zh.blocks.at(-1)?.elements?.[0]?.text.text).toBe("收听录音");
    expect((await render()).message.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("links each row of a digest to its recording", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(slack, { url }, sampleCalls(3), {}, urls);
    const rows = (body as Message).blocks.slice(1, -1).map((b) => b.text?.text ?? "");
    expect(rows[0]?.endsWith(` · <${urls[0]}|Recording>`)).toBe(true);
    expect(rows[1]).not.toContain("https://");
    expect(rows[2]?.endsWith(` · <${urls[2]}|Recording>`)).toBe(true);
  });
});
