import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, push, record, waitForStatus } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

type View = { id: string; template: string | null; secret?: string };

const slackUrl = () => `https://hooks.slack.com/services/T0/B0/${crypto.randomUUID()}`;

async function create(body: Record<string, unknown>) {
  const res = await admin("/destinations", { body: { name: "t", ...body } });
  expect(res.status).toBe(201);
  return res.json<View>();
}

async function patch(id: string, body: Record<string, unknown>) {
  const res = await admin(`/destinations/${id}`, { method: "PATCH", body });
  expect(res.status).toBe(200);
  return res.json<View>();
}

describe("a destination's template", () => {
  it("is saved, shown in reads, changed, kept when a PATCH leaves it out, and removed with null", async () => {
    const template = "*{{intent}}* ({{intentCode}}) for {{callee}}";
    const created = await create({ type: "slack", config: { url: slackUrl() }, template });
    expect(created.template).toBe(template);
    expect((await (await admin(`/destinations/${created.id}`)).json<View>()).template).toBe(template);
    const list = await (await admin("/destinations")).json<{ data: View[] }>();
    expect(list.data.find((d) => d.id === created.id)?.template).toBe(template);

    expect((await patch(created.id, { template: "{{ intent }}!" })).template).toBe("{{ intent }}!");
    expect((await patch(created.id, { name: "renamed" })).template).toBe("{{ intent }}!");
    expect((await patch(created.id, { template: null })).template).toBeNull();
    expect((await (await admin(`/destinations/${created.id}`)).json<View>()).template).toBeNull();
  });

  it("is null unless given", async () => {
    const created = await create({ type: "webhook", config: { url: hookUrl() } });
    expect(created.template).toBeNull();
  });
});

describe("delivery with a template", () => {
  it("posts a webhook's custom JSON as the body, signed per Standard Webhooks", async () => {
    const receiver = installReceiver();
    const url = hookUrl("custom");
    const r = record({ intent: 'Said "call me back"' });
    const dest = await create({
      type: "webhook",
      config: { url },
      filter: { voiceId: r.voiceId },
      template:
        '{"kind":"lead","ref":"{{voiceId}}","phone":{{callee}},"note":"{{intent}} / {{intentCode}}","answeredAt":{{answerTime}},"talk":{{callDuration}},"reached":{{connected}}}',
    });

    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const [request, ...more] = receiver.to(url);
    expect(more).toEqual([]);
    const expected = {
      kind: "lead",
      ref: r.voiceId,
      phone: "2222222228613200000007",
      note: 'Said "call me back" / 302',
      answeredAt: 1774509748000,
      talk: 35,
      reached: true,
    };
    expect(request?.body).toBe(JSON.stringify(expected));
    expect(new Webhook(dest.secret as string).verify(request?.body as string, request?.headers ?? {})).toEqual(
      expected,
    );
  });

  it("posts a Slack destination's template as the message text", async () => {
    const receiver = installReceiver();
    const url = slackUrl();
    const r = record({ intent: "<!channel> wants a call & more" });
    const dest = await create({
      type: "slack",
      config: { url },
      filter: { voiceId: r.voiceId },
      options: { timezone: "UTC" },
      template: "New lead: *{{intent}}* from {{callee}}, answered {{answerTime}} after {{ringDuration}}",
    });

    await push({ array: [r] });
    await waitForStatus(dest.id, r.voiceId, "delivered");
    const [request, ...more] = receiver.to(url);
    expect(more).toEqual([]);
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      text: "New lead: *&lt;!channel&gt; wants a call &amp; more* from 222***************0007, answered 2026-03-26 07:22:28 (UTC) after 1s",
    });
  });
});

describe("a test send", () => {
  it("renders the destination's template with the sample call", async () => {
    const receiver = installReceiver();
    const url = hookUrl("test-send");
    const dest = await create({
      type: "webhook",
      config: { url },
      template: '{"ref":"{{voiceId}}","code":{{intentCode}}}',
    });
    const res = await admin(`/destinations/${dest.id}/test`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(JSON.parse(receiver.to(url)[0]?.body ?? "{}")).toEqual({ ref: "260326152224160100152", code: "302" });
  });
});
