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
import { teamsLimits } from "../limits";
import { escapeMarkdown, utf8Bytes } from "../text";
import { teams } from "./teams";

const url =
  "https://default0123456789abcdef.01.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf-123_xyz";
const logicApps =
  "https://prod-12.westeurope.logic.azure.com/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf";

type Card = {
  version: string;
  body: [{ type: "TextBlock"; text: string }, { type: "FactSet"; facts: { title: string; value: string }[] }];
};

function expectWellFormed(request: { body: string }, card: Card) {
  expect(utf8Bytes(request.body)).toBeLessThanOrEqual(teamsLimits.body);
  expect(card.version).toBe("1.4");
  const [title, facts] = card.body;
  expect(title).toMatchObject({ type: "TextBlock", wrap: true });
  expect(markdownEscaped(title.text)).toBe(true);
  expect(facts.type).toBe("FactSet");
  for (const fact of facts.facts) expect(markdownEscaped(fact.value)).toBe(true);
}

describe("teams config", () => {
  const schema = teams.configSchema({ allowHttp: false });
  const problem = (value: Record<string, unknown>) => schema.safeParse(value).error?.issues[0]?.message;

  it("takes Workflows URLs on Power Platform and Logic Apps hosts", () => {
    expect(schema.parse({ url })).toEqual({ url });
    expect(schema.parse({ url: logicApps.replace(".com/", ".com:443/") })).toEqual({ url: logicApps });
  });

  it("refuses other hosts, a missing signature and plain http", () => {
    const notTeams = /^must be a Teams Workflows webhook URL/;
    expect(problem({ url: url.replace("environment.api.powerplatform.com", "example.com") })).toMatch(notTeams);
    expect(
      problem({ url: "https://evil.test/x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=1" }),
    ).toMatch(notTeams);
    expect(problem({ url: url.replace(/&sig=.*$/, "") })).toMatch(notTeams);
    expect(problem({ url: "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi" })).toMatch(
      notTeams,
    );
    expect(problem({ url: url.replace("https:", "http:") })).toMatch(/must use https/);
  });

  it("hides the URL (its sig is the credential) in API reads", () => {
    expect(teams.secretFields).toEqual(["url"]);
    expect(teams.chat).toBe(true);
  });
});

describe("teams render", () => {
  it("posts the sample record as an Adaptive Card with a title and a FactSet", async () => {
    const { request, body } = await render(teams, { url });
    expect(request.url).toBe(url);
    expect(body).toMatchInlineSnapshot(`
      {
        "attachments": [
          {
            "content": {
              "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
              "body": [
                {
                  "size": "Medium",
                  "text": "Connected-Customer No Responsern",
                  "type": "TextBlock",
                  "weight": "Bolder",
                  "wrap": true,
                },
                {
                  "facts": [
                    {
                      "title": "Callee",
                      "value": "222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007",
                    },
                    {
                      "title": "Caller ID",
                      "value": "5034040",
                    },
                    {
                      "title": "Answered",
                      "value": "2026-03-26 15:22:28 (Asia/Shanghai)",
                    },
                    {
                      "title": "Talk time",
                      "value": "35s",
                    },
                    {
                      "title": "Status",
                      "value": "connected",
                    },
                    {
                      "title": "Result",
                      "value": "valid\\_call",
                    },
                    {
                      "title": "Intent code",
                      "value": "302",
                    },
                    {
                      "title": "Task / script",
                      "value": "5034040 / 63",
                    },
                    {
                      "title": "Recording",
                      "value": "260326152224160100152.wav",
                    },
                    {
                      "title": "Call ID",
                      "value": "260326152224160100152",
                    },
                  ],
                  "type": "FactSet",
                },
              ],
              "msteams": {
                "width": "Full",
              },
              "type": "AdaptiveCard",
              "version": "1.4",
            },
            "contentType": "application/vnd.microsoft.card.adaptive",
          },
        ],
        "type": "message",
      }
    `);
    expectWellFormed(request, body.attachments[0].content);
  });

  it("speaks Chinese", async () => {
    const { body } = await render(teams, { url }, {}, chinese);
    const facts = body.attachments[0].content.body[1].facts as { title: string; value: string }[];
    expect(facts.map((f) => `${f.title}: ${f.value}`)).toMatchInlineSnapshot(`
      [
        "被叫: 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007",
        "主叫: 5034040",
        "接通时间: 2026-03-26 15:22:28 (Asia/Shanghai)",
        "通话时长: 35秒",
        "接通状态: 已接通",
        "通话描述: 有效通话",
        "意图代码: 302",
        "任务 / 话术: 5034040 / 63",
        "录音: 260326152224160100152.wav",
        "通话 ID: 260326152224160100152",
      ]
    `);
  });

  it("stays within 28 KB and escapes any intent or callee", async () => {
    await forHostileCalls(teams, { url }, ({ request, body }) =>
      expectWellFormed(request, body.attachments[0].content),
    );
  });
});

describe("teams classify", () => {
  it("delivers on 2xx: a workflow answers 202 Accepted", () => {
    expect(teams.classify(answer(202))).toEqual({ outcome: "delivered" });
    expect(teams.classify(answer(200, "ok"))).toEqual({ outcome: "delivered" });
  });

  it("fails for good when the workflow is gone or refuses the signature", () => {
    const missing = { error: { code: "WorkflowNotFound", message: "The workflow '0a1b2c3d4e5f' could not be found." } };
    expect(teams.classify(answer(404, missing))).toEqual({
      outcome: "failed",
      reason: `HTTP 404: ${JSON.stringify(missing)}: the workflow no longer exists`,
    });
    const unsigned = {
      error: { code: "DirectApiAuthorizationRequired", message: "The request must be authenticated." },
    };
    expect(teams.classify(answer(401, unsigned))).toMatchObject({ outcome: "failed" });
    expect(teams.classify(answer(403, ""))).toEqual({
      outcome: "failed",
      reason: "HTTP 403: the workflow refused the URL; copy it again",
    });
  });

  it("retries throttling after Retry-After, server errors and other client errors", () => {
    expect(
      teams.classify(answer(429, { error: { code: "WorkflowTriggerIsThrottled" } }, { "retry-after": "30" })),
    ).toEqual({
      outcome: "retry",
      reason: 'HTTP 429: {"error":{"code":"WorkflowTriggerIsThrottled"}}',
      retryAfterSeconds: 30,
    });
    expect(teams.classify(answer(502, ""))).toEqual({ outcome: "retry", reason: "HTTP 502" });
    expect(teams.classify(answer(400, { error: { code: "TriggerInputSchemaMismatch" } }))).toMatchObject({
      outcome: "retry",
    });
  });
});

type Block = { type: string; text: string; wrap: boolean };
const cardBody = (body: { attachments: { content: { body: Block[] } }[] }) => body.attachments[0]?.content.body ?? [];

describe("teams digest", () => {
  it("lists the calls in an Adaptive Card under their count, a TextBlock each, the legend subtle", async () => {
    const { body } = await renderDigest(teams, { url }, sampleCalls(2), chinese);
    expect(body.attachments[0].content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(cardBody(body)).toEqual([
      { type: "TextBlock", text: "2 通电话", wrap: true, weight: "Bolder", size: "Medium" },
      {
        type: "TextBlock",
        text: "**Intent 1** (302) · 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 · 35秒 · 03-26 15:22 · 1",
        wrap: true,
        spacing: "Small",
      },
      {
        type: "TextBlock",
        text: "**Intent 2** (302) · 222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 · 35秒 · 03-26 15:22 · 2",
        wrap: true,
        spacing: "Small",
      },
      {
        type: "TextBlock",
        text: "意图 (意图代码) · 被叫 · 通话时长 · 接通时间 · 通话 ID；时间为 Asia/Shanghai",
        wrap: true,
        isSubtle: true,
        size: "Small",
      },
    ]);
  });

  it("holds every call of a full digest, escaped, within 28 KB", async () => {
    await forFullDigests(teams, { url }, ({ request, body }, calls, links) => {
      expect(utf8Bytes(request.body)).toBeLessThanOrEqual(teamsLimits.body);
      const rows = withoutLinks(
        cardBody(body)
          .slice(1, -1)
          .map((block) => block.text),
        links,
        linkSuffix,
      );
      expect(rows).toHaveLength(calls.length);
      rows.forEach((text, i) => {
        expect(strongEscaped(text)).toBe(true);
        expect(text.endsWith(` · ${escapeMarkdown(calls[i]?.voiceId ?? "")}`)).toBe(true);
      });
    });
  });
});

describe("teams template", () => {
  it("is the one TextBlock of the card, values readable and escaped", async () => {
    const { body } = await renderTemplate(
      teams,
      { url },
      "**{{intent}}**\n\n{{callee}} answered {{answerTime}}",
      { intent: "[click](https://evil.test) _now_" },
      { timezone: "America/New_York" },
    );
    expect(cardBody(body)).toEqual([
      {
        type: "TextBlock",
        text: "**\\[click\\](https://evil.test) \\_now\\_**\n\n222\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*0007 answered 2026-03-26 03:22:28 (America/New\\_York)",
        wrap: true,
      },
    ]);
  });

  it("stays within 28 KB and escapes any value", async () => {
    const source = `${"中".repeat(7000)} {{intent}} {{callee}} {{intentCode}} {{displayNum}}`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (intent, callee) => {
        const { request, body } = await renderTemplate(teams, { url }, source, {
          intent,
          callee,
          intentCode: intent,
          displayNum: callee,
        });
        expect(utf8Bytes(request.body)).toBeLessThanOrEqual(teamsLimits.body);
        expect(markdownEscaped(cardBody(body)[0]?.text ?? "")).toBe(true);
      }),
      { numRuns: 50 },
    );
    expect(teams.checkTemplate(templateParts(`${"\u0001".repeat(4600)}{{intent}}`))).toMatch(/^is too long/);
  });
});

describe("teams recording link", () => {
  const link = "https://relay.example/recordings/abc.def";
  const content = (body: { attachments: { content: { actions?: object[] } }[] }) => body.attachments[0]?.content ?? {};

  it("is an Open URL action on the card, in the destination's language", async () => {
    const { body } = await render(teams, { url }, {}, {}, link);
    expect(content(body).actions).toEqual([{ type: "Action.OpenUrl", title: "Listen to the recording", url: link }]);
    const zh = (await render(teams, { url }, {}, chinese, link)).body;
    expect(content(zh).actions).toEqual([{ type: "Action.OpenUrl", title: "收听录音", url: link }]);
    expect(content((await render(teams, { url })).body).actions).toBeUndefined();
  });

  it("links each row of a digest to its recording", async () => {
    const urls = [recordingUrlOf(0, 120), undefined, recordingUrlOf(2, 120)];
    const { body } = await renderDigest(teams, { url }, sampleCalls(3), {}, urls);
    const rows = cardBody(body)
      .slice(1, -1)
      .map((block) => block.text);
    expect(rows[0]?.endsWith(linkSuffix(urls[0] as string, "Recording"))).toBe(true);
    expect(rows[1]).not.toContain("](");
    expect(rows[2]?.endsWith(linkSuffix(urls[2] as string, "Recording"))).toBe(true);
  });
});
