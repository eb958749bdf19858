import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { getConfig } from "../../src/lib/config";
import { recordingLink } from "../../src/messages/recording-link";
import { signRecordingToken } from "../../src/messages/recording-token";
import { consume, parkedDeliveries } from "../support/handlers";
import { installReceiver } from "../support/receiver";
import { BASE, push, record } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

const platform = {
  ...env,
  PLATFORM_API_KEY: "key-123",
  PLATFORM_API_SECRET: "secret-456",
  PLATFORM_API_BASE: "https://platform.test/",
  PUBLIC_URL: "https://relay.test",
  RECORDING_LINK_DAYS: "7",
} as Env;

async function open(url: string, bindings: Env = platform) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, { redirect: "manual" }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function storedCall() {
  const call = record({ recordingFileId: "rec-file-1.wav" });
  expect((await push({ array: [call] })).status).toBe(200);
  return call;
}

describe("recording links", () => {
  it("asks the platform with the documented headers and redirects to its fresh URL", async () => {
    const call = await storedCall();
    const link = await recordingLink(getConfig(platform), { ...call, sourceId: "src_default" }, Date.now());
    expect(link).toMatch(/^https:\/\/relay\.test\/recordings\/[\w-]+\.[\w-]+$/);
    const receiver = installReceiver();
    receiver.answer(() => Response.json({ url: "https://cdn.platform.test/rec-file-1.wav?sig=x", expireTime: 600 }));
    const res = await open(link ?? "");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://cdn.platform.test/rec-file-1.wav?sig=x");
    const [asked] = receiver.received;
    expect(asked?.url).toBe(
      "https://platform.test/voice/getRecordingFileUrl?recordingFileId=rec-file-1.wav&sourceType=group",
    );
    const timestamp = asked?.headers.timestamp ?? "";
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(asked?.headers["api-key"]).toBe("key-123");
    expect(asked?.headers.sign).toBe(createHash("md5").update(`key-123secret-456${timestamp}`).digest("hex"));
  });

  it("answers a clear 502 when the platform fails or answers without a URL", async () => {
    const call = await storedCall();
    const link = (await recordingLink(getConfig(platform), { ...call, sourceId: "src_default" }, Date.now())) ?? "";
    const receiver = installReceiver();
    for (const answer of [new Response("down", { status: 500 }), Response.json({ code: 1, msg: "no such file" })]) {
      receiver.answer(() => answer);
      const res = await open(link);
      expect(res.status).toBe(502);
      const body = await res.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe("bad_gateway");
      expect(body.error.message).toContain("platform");
    }
  });

  it("refuses a tampered or expired token, and links nothing without credentials", async () => {
    const call = await storedCall();
    const link = (await recordingLink(getConfig(platform), { ...call, sourceId: "src_default" }, Date.now())) ?? "";
    const receiver = installReceiver();
    const [payload, sig] = (link.split("/").pop() ?? "").split(".");
    const forged = await signRecordingToken(
      { sourceId: "src_default", voiceId: call.voiceId, expiresAt: 4e9 },
      "wrong",
    );
    for (const token of [`${payload}.${sig?.slice(1)}x`, `${payload}x.${sig}`, forged, "nope"]) {
      expect((await open(`${BASE}/recordings/${token}`)).status).toBe(403);
    }
    const old = await recordingLink(
      getConfig(platform),
      { ...call, sourceId: "src_default" },
      Date.now() - 8 * 86_400_000,
    );
    expect((await open(old ?? "")).status).toBe(410);
    expect(receiver.received).toEqual([]);

    expect(await recordingLink(getConfig(env), { ...call, sourceId: "src_default" }, Date.now())).toBeUndefined();
    expect(
      await recordingLink(getConfig(platform), { ...call, sourceId: "src_default", recordingFileId: null }, Date.now()),
    ).toBeUndefined();
    expect((await open(link, env)).status).toBe(404);
  });
});

describe("recording link bounds", () => {
  const config = getConfig(platform);
  const call = { sourceId: "src_default", voiceId: "260326152224160100152", recordingFileId: "r.wav" };

  it("is short for an everyday call, and left out when too long for a chat message or not plain", async () => {
    expect((await recordingLink(config, call, Date.now()))?.length).toBeLessThan(128);
    expect(await recordingLink(config, { ...call, voiceId: "x".repeat(400) }, Date.now())).toBeUndefined();
    const withQuery = { ...config, publicUrl: "https://relay.test/base?x=1" };
    expect(await recordingLink(withQuery, call, Date.now())).toBeUndefined();
    const local = { ...config, publicUrl: "http://localhost:8787" };
    expect(await recordingLink(local, call, Date.now())).toMatch(/^http:\/\/localhost:8787\/recordings\//);
  });
});

describe("recording links in chat messages", () => {
  const telegramConfig = () => ({
    botToken: `123456789:AA${crypto.randomUUID().replaceAll("-", "")}`,
    chatId: "-1001234567890",
  });

  /** A Telegram destination's parked deliveries of `calls`, consumed in one batch with `bindings`: what Telegram got. */
  async function sendThroughQueue(calls: ReturnType<typeof record>[], bindings: Env) {
    const config = telegramConfig();
    const receiver = installReceiver();
    receiver.answer((request) =>
      request.url.includes("/getRecordingFileUrl")
        ? Response.json({ url: "https://cdn.platform.test/fresh.wav", expireTime: 600 })
        : Response.json({ ok: true, result: { message_id: 1 } }),
    );
    const filter = { voiceId: { $in: calls.map((c) => c.voiceId) } };
    const { ids } = await parkedDeliveries({ type: "telegram", config, filter }, calls);
    expect(ids).toHaveLength(calls.length);
    await consume(ids, "callrelay-deliveries", bindings);
    const sent = receiver.to(`https://api.telegram.org/bot${config.botToken}/sendMessage`);
    expect(sent).toHaveLength(1);
    return JSON.parse(sent[0]?.body ?? "{}");
  }

  it("gives a call's message a button that opens its recording", async () => {
    const call = record({ recordingFileId: "rec-chat-1.wav" });
    const body = await sendThroughQueue([call], platform);
    const [[button]] = body.reply_markup.inline_keyboard;
    expect(button.text).toBe("Listen to the recording");
    expect(button.url).toMatch(/^https:\/\/relay\.test\/recordings\/[\w-]+\.[\w-]{22}$/);
    const res = await open(button.url);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://cdn.platform.test/fresh.wav");
  });

  it("links each call of a digest that has a recording", async () => {
    const calls = [
      record({ recordingFileId: "a.wav" }),
      record({ recordingFileId: null }),
      record({ recordingFileId: "c.wav" }),
    ];
    const body = await sendThroughQueue(calls, platform);
    const rows: string[] = body.text.split("\n").slice(2, -2);
    expect(rows).toHaveLength(3);
    const linked = rows.filter((row) =>
      /<a href="https:\/\/relay\.test\/recordings\/[\w.-]+">Recording<\/a>$/.test(row),
    );
    expect(linked).toHaveLength(2);
    expect(linked.some((row) => row.includes(calls[1]?.voiceId ?? "-"))).toBe(false);
  });

  it("carries no link without the platform's credentials or a public URL", async () => {
    for (const bindings of [env, { ...platform, PUBLIC_URL: "" } as Env]) {
      const body = await sendThroughQueue([record({ recordingFileId: "rec-chat-2.wav" })], bindings);
      expect(body.reply_markup).toBeUndefined();
      expect(JSON.stringify(body)).not.toContain("/recordings/");
    }
  });
});
