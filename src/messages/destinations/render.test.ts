import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { chatConfigs } from "../../../test/chat/kit";
import { sampleEvent } from "../../model/events/samples";
import { type OperationEvent, type OperationEventType, operationEventTypes } from "../../model/events/types";
import { eventSummary } from "../event-summary";
import {
  dingtalkLimits,
  discordLimits,
  feishuLimits,
  slackLimits,
  teamsLimits,
  telegramLimits,
  wecomLimits,
} from "../limits";
import { utf8Bytes } from "../text";
import type { DestinationOptions } from "../types";
import { destinationTypes, getDestinationType } from "./registry";
import { generateWebhookSecret } from "./webhook";

const now = Date.UTC(2026, 2, 26, 2, 0, 30);
const en: DestinationOptions = { timezone: "Asia/Shanghai", locale: "en", maskCallee: true };
const zh: DestinationOptions = { ...en, locale: "zh" };

type Json = Record<string, never> & { [key: string]: unknown };

/** Every string in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** Asserts a rendered request is within the documented limits of its platform. */
const withinLimits: Record<string, (body: string) => void> = {
  slack(body) {
    const { text, blocks } = JSON.parse(body) as { text: string; blocks: Json[] };
    expect(text.length).toBeLessThanOrEqual(slackLimits.text);
    expect(blocks.length).toBeLessThanOrEqual(slackLimits.blocks);
    for (const block of blocks) {
      if (block.type === "header") expect(strings(block.text)[1]?.length).toBeLessThanOrEqual(slackLimits.headerText);
      const fields = (block.fields ?? []) as { text: string }[];
      expect(fields.length).toBeLessThanOrEqual(slackLimits.sectionFields);
      for (const field of fields) expect(field.text.length).toBeLessThanOrEqual(slackLimits.fieldText);
      if (block.type === "section" && block.text) {
        expect((block.text as { text: string }).text.length).toBeLessThanOrEqual(slackLimits.sectionText);
      }
    }
  },
  telegram(body) {
    const { text } = JSON.parse(body) as { text: string };
    expect(text.replace(/&(?:amp|lt|gt);/g, "&").length).toBeLessThanOrEqual(telegramLimits.text);
  },
  feishu: (body) => expect(utf8Bytes(body)).toBeLessThanOrEqual(feishuLimits.body),
  dingtalk: (body) => expect(utf8Bytes(body)).toBeLessThanOrEqual(dingtalkLimits.body),
  wecom(body) {
    const { markdown } = JSON.parse(body) as { markdown: { content: string } };
    expect(utf8Bytes(markdown.content)).toBeLessThanOrEqual(wecomLimits.markdownContent);
  },
  discord(body) {
    const embed = (JSON.parse(body) as { embeds: unknown[] }).embeds[0] as {
      title: string;
      fields: { name: string; value: string }[];
      footer: { text: string };
    };
    expect(embed.title.length).toBeLessThanOrEqual(discordLimits.embedTitle);
    expect(embed.fields.length).toBeLessThanOrEqual(discordLimits.embedFields);
    for (const f of embed.fields) {
      expect(f.name.length).toBeLessThanOrEqual(discordLimits.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(discordLimits.fieldValue);
      expect(f.value.length).toBeGreaterThan(0);
    }
    const total =
      embed.title.length +
      embed.footer.text.length +
      embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(discordLimits.embedTotal);
  },
  teams: (body) => expect(utf8Bytes(body)).toBeLessThanOrEqual(teamsLimits.body),
};

const long = (seed: string) => `${seed}*_\`<&>[]#|~ 长文本`.repeat(200);

/** An event of `type` with every text as long and as full of markup as its schema allows. */
function worstEvent(type: OperationEventType): OperationEvent {
  const event = sampleEvent(type, now);
  const d = event.data as Record<string, unknown>;
  for (const key of ["destinationName", "reason", "lastResponse", "lastError", "pushId", "sourceId", "lastVoiceId"]) {
    if (typeof d[key] === "string") d[key] = long(key);
  }
  if (Array.isArray(d.reasons)) d.reasons = Array.from({ length: 5 }, (_, i) => long(`reason${i}`));
  if (Array.isArray(d.sourceIds)) d.sourceIds = Array.from({ length: 100 }, (_, i) => long(`src${i}`).slice(0, 100));
  if (Array.isArray(d.taskIds)) d.taskIds = Array.from({ length: 10 }, (_, i) => 9_000_000_000 + i);
  if (Array.isArray(d.topIntents)) {
    d.topIntents = Array.from({ length: 10 }, (_, i) => ({
      intentCode: long(`c${i}`),
      intent: long(`i${i}`),
      count: 1e9,
    }));
    d.byTask = Array.from({ length: 10 }, (_, i) => ({
      taskId: 9_000_000_000 + i,
      calls: 1e9,
      connected: 1e9,
      averageTalkSeconds: 1e9,
      costs: ["USD", "EUR", "CNY", "JPY", "ZZZ"].map((currency) => ({
        currency,
        total: "999999999999999.999999",
        perConnectedCall: "999999999999999.999999",
      })),
    }));
  }
  return event;
}

const chatTypes = Object.keys(destinationTypes)
  .map((name) => [name, getDestinationType(name)] as const)
  .filter(([, t]) => t.chat);

describe.each(chatTypes)("%s renders every event", (name, type) => {
  const render = async (event: OperationEvent, options: DestinationOptions) =>
    (
      await type.renderEvent({
        config: chatConfigs[name] ?? {},
        event,
        options,
        deliveryId: "dlv_e",
        now,
        extraSecrets: [],
      })
    ).body;

  it.each(operationEventTypes)("%s, in en and zh, as snapshotted and within limits", async (eventType) => {
    for (const options of [en, zh]) {
      const body = await render(sampleEvent(eventType, now), options);
      withinLimits[name]?.(body);
      expect(JSON.parse(body)).toMatchSnapshot(options.locale);
    }
  });

  it.each(operationEventTypes)("%s stays within limits with the longest, most hostile text", async (eventType) => {
    for (const options of [en, zh]) withinLimits[name]?.(await render(worstEvent(eventType), options));
  });

  it("says it in the destination's language", async () => {
    const event = sampleEvent("records.rejected", now);
    expect(await render(event, en)).toContain("Records rejected");
    expect(await render(event, zh)).toContain("记录被拒收");
  });
});

describe("webhook events", () => {
  it.each(operationEventTypes)("%s goes as a signed Standard Webhooks event", async (eventType) => {
    const secret = generateWebhookSecret();
    const sentAt = Date.now();
    const event = sampleEvent(eventType, sentAt);
    const request = await destinationTypes.webhook.renderEvent({
      config: { url: "https://example.com/hook", secret },
      event,
      options: en,
      deliveryId: "dlv_evt1",
      now: sentAt,
      extraSecrets: [],
    });
    const verified = new Webhook(secret).verify(request.body, request.headers) as Record<string, unknown>;
    expect(verified).toEqual({ type: eventType, timestamp: new Date(sentAt).toISOString(), data: event.data });
    expect(request.headers["webhook-id"]).toBe("dlv_evt1");
  });
});

describe("event summaries", () => {
  it("says a recovered breaker's opening time is unknown when it was not kept, and a push that never came never", () => {
    const base = sampleEvent("breaker.closed", now);
    const closed = { ...base, data: { ...base.data, openedAt: null } } as OperationEvent;
    const fact = (event: OperationEvent, options: DestinationOptions, label: string) =>
      eventSummary(event, options).facts.find((f) => f.label === label)?.value;
    expect(fact(closed, en, "Opened at")).toBe("unknown");
    expect(fact(closed, zh, "断开于")).toBe("未知");
    const silent = sampleEvent("pushes.silent", now);
    const never = { ...silent, data: { ...silent.data, lastPushAt: null } } as OperationEvent;
    expect(fact(never, en, "Last push")).toBe("never");
  });
});
