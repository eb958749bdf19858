import { createHmac } from "node:crypto";
import { expect } from "vitest";
import type { Received } from "../support/receiver";

/** One chat platform as the integration tests drive it: a fresh config, its answers and what a request must hold. */
export interface Platform {
  type: string;
  /** A config with unique credentials, so each test's requests can be told apart. */
  config(): Record<string, unknown>;
  /** The start of the URL the platform's requests go to, for a config. */
  prefix(config: Record<string, unknown>): string;
  /** The platform's answer to a message it took. */
  accepted(): Response;
  /** An answer retrying cannot fix, HTTP 200 where the platform answers errors so. */
  refused(): Response;
  /** Text the refusal's reason holds. */
  refusal: string;
  /** Asserts the request is well-formed for the platform and carries the call `voiceId`, callee masked. */
  check(request: Received, config: Record<string, unknown>, voiceId: string): void;
}

const id = () => crypto.randomUUID();
const json = (body: unknown, status = 200) => Response.json(body, { status });

function expectJsonPost(request: Received) {
  expect(request.method).toBe("POST");
  expect(request.headers["content-type"]).toBe("application/json");
  expect(request.headers["user-agent"]).toBe("callrelay/0.1");
  expect(request.body).not.toContain("2222222228613200000007");
}

export const platforms: Platform[] = [
  {
    type: "telegram",
    config: () => ({ botToken: `123456789:AA${id().replaceAll("-", "")}`, chatId: "-1001234567890" }),
    prefix: (config) => `https://api.telegram.org/bot${config.botToken}/sendMessage`,
    accepted: () => json({ ok: true, result: { message_id: 7 } }),
    refused: () => json({ ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" }, 403),
    refusal: "Forbidden: bot was blocked by the user",
    check(request, _config, voiceId) {
      expectJsonPost(request);
      const body = JSON.parse(request.body);
      expect(body).toMatchObject({ chat_id: "-1001234567890", parse_mode: "HTML" });
      expect(body.text).toContain(`<b>Call ID</b>: <code>${voiceId}</code>`);
    },
  },
  {
    type: "feishu",
    config: () => ({ url: `https://open.feishu.cn/open-apis/bot/v2/hook/${id()}`, secret: `s-${id()}` }),
    prefix: (config) => config.url as string,
    accepted: () => json({ StatusCode: 0, StatusMessage: "success", code: 0, data: {}, msg: "success" }),
    refused: () => json({ code: 19021, msg: "sign match fail or timestamp is not within one hour from current time" }),
    refusal: "19021 sign match fail",
    check(request, config, voiceId) {
      expectJsonPost(request);
      const body = JSON.parse(request.body);
      expect(Math.abs(Number(body.timestamp) - Date.now() / 1000)).toBeLessThan(60);
      expect(body.sign).toBe(createHmac("sha256", `${body.timestamp}\n${config.secret}`).update("").digest("base64"));
      expect(body.msg_type).toBe("interactive");
      expect(request.body).toContain(voiceId);
    },
  },
  {
    type: "dingtalk",
    config: () => ({
      url: `https://oapi.dingtalk.com/robot/send?access_token=${id().replaceAll("-", "")}`,
      secret: `SEC${id().replaceAll("-", "")}`,
    }),
    prefix: (config) => `${config.url}&timestamp=`,
    accepted: () => json({ errcode: 0, errmsg: "ok" }),
    refused: () => json({ errcode: 310000, errmsg: "sign not match, more: [https://ding-doc.dingtalk.com/doc]" }),
    refusal: "310000 sign not match",
    check(request, config, voiceId) {
      expectJsonPost(request);
      const url = new URL(request.url);
      const timestamp = url.searchParams.get("timestamp") ?? "";
      expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(60_000);
      const secret = config.secret as string;
      expect(url.searchParams.get("sign")).toBe(
        createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64"),
      );
      const body = JSON.parse(request.body);
      expect(body).toMatchObject({ msgtype: "markdown", at: { isAtAll: false } });
      expect(body.markdown.text).toContain(`- **Call ID**: ${voiceId}`);
    },
  },
  {
    type: "wecom",
    config: () => ({ url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${id()}` }),
    prefix: (config) => config.url as string,
    accepted: () => json({ errcode: 0, errmsg: "ok" }),
    refused: () => json({ errcode: 93000, errmsg: "invalid webhook url, hint: [1774509791_30_abc]" }),
    refusal: "93000 invalid webhook url",
    check(request, _config, voiceId) {
      expectJsonPost(request);
      const body = JSON.parse(request.body);
      expect(body.msgtype).toBe("markdown");
      expect(body.markdown.content).toContain(`>Call ID: <font color="comment">${voiceId}</font>`);
    },
  },
  {
    type: "discord",
    config: () => ({ url: `https://discord.com/api/webhooks/${Date.now()}${Math.floor(Math.random() * 1e6)}/${id()}` }),
    prefix: (config) => `${config.url}?wait=true`,
    accepted: () => json({ id: "1", type: 0, content: "", embeds: [{}] }),
    refused: () => json({ message: "Unknown Webhook", code: 10015 }, 404),
    refusal: "Unknown Webhook",
    check(request, _config, voiceId) {
      expectJsonPost(request);
      const body = JSON.parse(request.body);
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(body.embeds[0].fields[9]).toEqual({ name: "Call ID", value: `\`${voiceId}\``, inline: true });
    },
  },
  {
    type: "teams",
    config: () => ({
      url: `https://default01.01.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/${id().replaceAll("-", "")}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${id()}`,
    }),
    prefix: (config) => config.url as string,
    accepted: () => new Response(null, { status: 202 }),
    refused: () => json({ error: { code: "WorkflowNotFound", message: "The workflow could not be found." } }, 404),
    refusal: "WorkflowNotFound",
    check(request, _config, voiceId) {
      expectJsonPost(request);
      const body = JSON.parse(request.body);
      expect(body.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(body.attachments[0].content.body[1].facts[9]).toEqual({ title: "Call ID", value: voiceId });
    },
  },
];
