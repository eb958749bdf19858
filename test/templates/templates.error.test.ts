import { describe, expect, it } from "vitest";
import { hookUrl } from "../support/receiver";
import { admin, createDestination } from "../support/worker";

type Failure = { error: { code: string; message: string; details: { path: string; message: string }[] } };

const slackConfig = () => ({ url: `https://hooks.slack.com/services/T0/B0/${crypto.randomUUID()}` });

async function refused(res: Response) {
  expect(res.status).toBe(400);
  const body = await res.json<Failure>();
  expect(body.error.code).toBe("validation_failed");
  return body.error.details;
}

const create = (body: Record<string, unknown>) => admin("/destinations", { body: { name: "t", ...body } });

describe("template validation", () => {
  it("names an unknown field at `template`, with the field it was likely meant to be", async () => {
    const details = await refused(
      await create({ type: "slack", config: slackConfig(), template: "{{intnet}} for {{callee}} {{nope}}" }),
    );
    expect(details).toEqual([
      { path: "template", message: 'unknown field "intnet"; did you mean "intent"?' },
      { path: "template", message: 'unknown field "nope"' },
    ]);
  });

  it("refuses a webhook template that does not fill to JSON", async () => {
    const details = await refused(
      await create({ type: "webhook", config: { url: hookUrl() }, template: '{"phone": {{callee}}, "x": }' }),
    );
    expect(details).toEqual([
      { path: "template", message: expect.stringMatching(/^is not valid JSON once filled with the sample call: /) },
    ]);
    const nulls = await refused(
      await create({ type: "webhook", config: { url: hookUrl() }, template: '{"talk": -{{callDuration}}}' }),
    );
    expect(nulls[0]?.message).toMatch(/^is not valid JSON once filled with a call that lacks every field: /);
  });

  it.each([
    ["a blank template", "slack", "  \n ", "must not be blank; null removes the template"],
    ["an unclosed tag", "slack", "{{intent}} {{callee", "unclosed {{"],
    ["a template over 8,000 characters", "slack", "x".repeat(8001), "template is longer than 8000 characters"],
    ["a text too long for WeCom", "wecom", `${"中".repeat(1400)}{{intent}}`, expect.stringMatching(/^is too long/)],
  ])("refuses %s", async (_, type, template, message) => {
    const config = type === "wecom" ? { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k" } : slackConfig();
    expect(await refused(await create({ type, config, template }))).toEqual([{ path: "template", message }]);
  });

  it("refuses a bad template in a PATCH and keeps the one stored", async () => {
    const dest = await createDestination({ type: "slack", config: slackConfig(), template: "{{intent}}" });
    const details = await refused(
      await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { template: "{{intentCod}}" } }),
    );
    expect(details).toEqual([{ path: "template", message: 'unknown field "intentCod"; did you mean "intentCode"?' }]);
    const webhook = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    expect(
      await refused(await admin(`/destinations/${webhook.id}`, { method: "PATCH", body: { template: "{" } })),
    ).toEqual([{ path: "template", message: expect.stringMatching(/^is not valid JSON/) }]);
    const stored = await (await admin(`/destinations/${dest.id}`)).json<{ template: string }>();
    expect(stored.template).toBe("{{intent}}");
  });

  it("refuses a template that is not a string", async () => {
    expect(await refused(await create({ type: "slack", config: slackConfig(), template: 42 }))).toEqual([
      { path: "template", message: expect.any(String) },
    ]);
  });
});
