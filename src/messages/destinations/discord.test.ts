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
import { discordLimits } from "../limits";
import { discord } from "./discord";

const url = "https://discord.com/api/webhooks/1234567890123456789/AbC-dEf_GhI";

type Field = { name: string; value: string; inline: boolean };
type Embed = { title: string; description?: string; fields: Field[] };

function expectWellFormed(body: { embeds: Embed[]; allowed_mentions: unknown }) {
  expect(body.allowed_mentions).toEqual({ parse: [] });
  expect(body.embeds).toHaveLength(1);
  const [embed] = body.embeds as [Embed];
  expect(embed.title.length).toBeGreaterThan(0);
  expect(embed.title.length).toBeLessThanOrEqual(discordLimits.embedTitle);
  expect(markdownEscaped(embed.title)).toBe(true);
  expect(embed.fields.length).toBeLessThanOrEqual(discordLimits.embedFields);
  expect(embed.description ?? "").toMatch(/^(\[[^\]]+\]\(https:[^)]+\))?$/);
  let total = embed.title.length + (embed.description?.length ?? 0);
  for (const { name, value } of embed.fields) {
    expect(name.length).toBeGreaterThan(0);
    expect(name.length).toBeLessThanOrEqual(discordLimits.fieldName);
    expect(value.length).toBeGreaterThan(0);
    expect(value.length).toBeLessThanOrEqual(discordLimits.fieldValue);
    const code = /^`([^`]*)`$/.exec(value);
    if (!code) expect(markdownEscaped(value)).toBe(true);
    total += name.length + value.length;
  }
  expect(total).toBeLessThanOrEqual(discordLimits.embedTotal);
}

describe("discord config", () => {
  const schema = discord.configSchema({ allowHttp: false });
  const problem = (value: Record<string, unknown>) => schema.safeParse(value).error?.issues[0]?.message;
  const notDiscord = "must be a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>";

  it("takes Discord webhook URLs, also on discordapp.com, versioned or in a thread", () => {
    for (const ok of [
      url,
      "https://discordapp.com/api/webhooks/1/abc",
      "https://canary.discord.com/api/v10/webhooks/1/abc",
      `${url}?thread_id=987`,
    ]) {
      expect(schema.parse({ url: ok })).toEqual({ url: ok });
    }
  });

  it("refuses other URLs, a missing token and plain http", () => {
    expect(problem({ url: "https://discord.com/api/webhooks/1234567890123456789" })).toBe(notDiscord);
    expect(problem({ url: "https://discord.com/api/channels/1/messages" })).toBe(notDiscord);
    expect(problem({ url: "https://discord.com.evil.test/api/webhooks/1/abc" })).toBe(notDiscord);
    expect(problem({ url: url.replace("https:", "http:") })).toMatch(/must use https/);
    expect(problem({ url, username: "bot" })).toBeDefined();
  });

  it("hides the URL (its path holds the token) in API reads", () => {
    expect(discord.secretFields).toEqual(["url"]);
    expect(discord.chat).toBe(true);
  });
});

describe("discord render", () => {
  it("posts the sample record as one embed, waiting for Discord to save it", async () => {
    const { request, body } = await render(discord, { url });
    expect(request.url).toBe(`${url}?wait=true`);
    expect(body).toMatchInlineSnapshot(`
      {
        "allowed_mentions": {
          "parse": [],
        },
        "embeds": [
          {
            "fields": [
              {
                "inline": true,
                "name": "Callee",
                "value": "\`222***************0007\`",
              },
              {
                "inline": true,
                "name": "Caller ID",
                "value": "\`5034040\`",
              },
              {
                "inline": true,
                "name": "Answered",
                "value": "2026-03-26 15:22:28 (Asia/Shanghai)",
              },
              {
                "inline": true,
                "name": "Talk time",
                "value": "35s",
              },
              {
                "inline": true,
                "name": "Status",
                "value": "connected",
              },
              {
                "inline": true,
                "name": "Result",
                "value": "valid\\_call",
              },
              {
                "inline": true,
                "name": "Intent code",
                "value": "302",
              },
              {
                "inline": true,
                "name": "Task / script",
                "value": "5034040 / 63",
              },
              {
                "inline": true,
                "name": "Recording",
                "value": "260326152224160100152.wav",
              },
              {
                "inline": true,
                "name": "Call ID",
                "value": "\`260326152224160100152\`",
              },
            ],
            "title": "Connected-Customer No Responsern",
          },
        ],
      }
    `);
    expectWellFormed(body);
  });

  it("speaks Chinese", async () => {
    const { body } = await render(discord, { url }, {}, chinese);
    expect(body.embeds[0].fields.map((f: Field) => `${f.name}: ${f.value}`)).toMatchInlineSnapshot(`
      [
        "被叫: \`222***************0007\`",
        "主叫: \`5034040\`",
        "接通时间: 2026-03-26 15:22:28 (Asia/Shanghai)",
        "通话时长: 35秒",
        "接通状态: 已接通",
        "通话描述: 有效通话",
        "意图代码: 302",
        "任务 / 话术: 5034040 / 63",
        "录音: 260326152224160100152.wav",
        "通话 ID: \`260326152224160100152\`",
      ]
    `);
  });

  it("keeps a thread and escapes markdown and mentions", async () => {
    const { request, body } = await render(
      discord,
      { url: `${url}?thread_id=987` },
      { intent: "@everyone [click](https://evil.test) **now** <@123>", displayNum: "12`34" },
    );
    expect(request.url).toBe(`${url}?thread_id=987&wait=true`);
    expect(body.embeds[0].title).toBe("@everyone \\[click\\](https://evil.test) \\*\\*now\\*\\* \\<@123\\>");
    expect(body.embeds[0].fields[1].value).toBe("`12'34`");
  });

  it("stays within the embed limits and escapes any intent or callee", async () => {
    await forHostileCalls(discord, { url }, ({ body }) => expectWellFormed(body));
  });
});

describe("discord classify", () => {
  it("delivers on 200 (wait=true) and 204", () => {
    expect(discord.classify(answer(200, { id: "1", type: 0, content: "" }))).toEqual({ outcome: "delivered" });
    expect(discord.classify(answer(204))).toEqual({ outcome: "delivered" });
  });

  it("retries rate limits after retry_after, rounded up, or Retry-After", () => {
    const limited = { message: "You are being rate limited.", retry_after: 1.337, global: false };
    expect(discord.classify(answer(429, limited, { "retry-after": "1" }))).toEqual({
      outcome: "retry",
      reason: `HTTP 429: ${JSON.stringify(limited)}`,
      retryAfterSeconds: 2,
    });
    expect(discord.classify(answer(429, "", { "retry-after": "7" }))).toEqual({
      outcome: "retry",
      reason: "HTTP 429",
      retryAfterSeconds: 7,
    });
  });

  it.each([
    [404, { message: "Unknown Webhook", code: 10015 }],
    [401, { message: "Invalid Webhook Token", code: 50027 }],
    [403, { message: "Missing Access", code: 50001 }],
  ])("fails for good on %i", (status, body) => {
    expect(discord.classify(answer(status, body))).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining(`HTTP ${status}: ${JSON.stringify(body)}: `),
    });
  });

  it("retries invalid bodies and server errors on the schedule", () => {
    const invalid = { message: "Invalid Form Body", code: 50035 };
    expect(discord.classify(answer(400, invalid))).toEqual({
      outcome: "retry",
      reason: `HTTP 400: ${JSON.stringify(invalid)}`,
    });
    expect(discord.classify(answer(502, ""))).toEqual({ outcome: "retry", reason: "HTTP 502" });
  });
});

describe("discord digest", () => {
  it("lists the calls as fields of an embed titled with their count, the legend as footer", async () => {
    const { request, body } = await renderDigest(discord, { url }, sampleCalls(2));
    expect(request.url).toBe(`${url}?wait=true`);
    expect(body).toEqual({
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: "2 calls",
          fields: [
            { name: "**Intent 1** (302)", value: "`222***************0007` · 35s · 03-26 15:22 · `1`", inline: false },
            { name: "**Intent 2** (302)", value: "`222***************0007` · 35s · 03-26 15:22 · `2`", inline: false },
          ],
          footer: { text: "Intent (Intent code) · Callee · Talk time · Answered · Call ID; times in Asia/Shanghai" },
        },
      ],
    });
  });

  it("holds every call of a full digest, escaped, within the embed limits", async () => {
    await forFullDigests(discord, { url }, ({ body }, calls, links) => {
      expect(body.allowed_mentions).toEqual({ parse: [] });
      const [embed] = body.embeds as [Embed & { footer: { text: string } }];
      expect(embed.fields).toHaveLength(calls.length);
      expect(embed.fields.length).toBeLessThanOrEqual(discordLimits.embedFields);
      let total = embed.title.length + embed.footer.text.length;
      const values = withoutLinks(
        embed.fields.map((f) => f.value),
        links,
        linkSuffix,
      );
      embed.fields.forEach(({ name, value: linked }, i) => {
        const value = values[i] as string;
        expect(name.length).toBeLessThanOrEqual(discordLimits.fieldName);
        expect(linked.length).toBeLessThanOrEqual(discordLimits.fieldValue);
        expect(strongEscaped(name)).toBe(true);
        expect(markdownEscaped(value.replace(/`[^`]*`/g, ""))).toBe(true);
        expect(value.endsWith(` · \`${calls[i]?.voiceId.replaceAll("`", "'")}\``)).toBe(true);
        total += name.length + linked.length;
      });
      expect(total).toBeLessThanOrEqual(discordLimits.embedTotal);
    });
  });
});

describe("discord template", () => {
  it("is the embed's description, values readable and escaped", async () => {
    const { body } = await renderTemplate(
      discord,
      { url },
      "**{{intent}}** ({{intentCode}}) for {{callee}}, {{callDuration}}",
      { intent: "@everyone [click](https://evil.test) <@123>", callDuration: 125 },
      { maskCallee: false },
    );
    expect(body).toEqual({
      allowed_mentions: { parse: [] },
      embeds: [
        {
          description:
            "**@everyone \\[click\\](https://evil.test) \\<@123\\>** (302) for 2222222228613200000007, 2m 05s",
        },
      ],
    });
  });

  it("stays within 4,096 characters and escapes any value", async () => {
    const source = `${"x".repeat(3500)} {{intent}} {{callee}} {{intentCode}} {{displayNum}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (intent, callee) => {
        const { body } = await renderTemplate(discord, { url }, source, {
          intent,
          callee,
          intentCode: intent,
          displayNum: callee,
        });
        expect(body.embeds[0].description.length).toBeLessThanOrEqual(discordLimits.embedDescription);
        expect(markdownEscaped(body.embeds[0].description)).toBe(true);
      }),
      { numRuns: 50 },
    );
    expect(discord.checkTemplate(templateParts(`${"x".repeat(4080)}{{intent}}`))).toMatch(/^is too long/);
  });
});

describe("discord recording link", () => {
  const link = "https://relay.example/recordings/abc.def";

  it("is the embed's description, in the destination's language", async () => {
    const { body } = await render(discord, { url }, {}, {}, link);
    expect(body.embeds[0].description).toBe(`[Listen to the recording](${link})`);
    const zh = (await render(discord, { url }, {}, chinese, link)).body;
    expect(zh.embeds[0].description).toBe(`[收听录音](${link})`);
    expect((await render(discord, { url })).body.embeds[0].description).toBeUndefined();
  });

  it("links each row of a digest to its recording", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(discord, { url }, sampleCalls(3), {}, urls);
    const values = (body.embeds[0] as Embed).fields.map((f) => f.value);
    expect(values[0]?.endsWith(linkSuffix(urls[0] as string, "Recording"))).toBe(true);
    expect(values[1]).not.toContain("](");
    expect(values[2]?.endsWith(linkSuffix(urls[2] as string, "Recording"))).toBe(true);
  });
});
