import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { platforms } from "../chat/platforms";
import { page, signIn } from "../console/kit";
import { consume, parkedDeliveries, withRecordingLanes } from "../support/handlers";
import { hookUrl, installReceiver, type Received } from "../support/receiver";
import { admin, rows } from "../support/worker";

// A later case's push must not make deliveries to an earlier case's destination (the real queue would send them).
afterEach(async () => {
  await env.DB.prepare("UPDATE destinations SET enabled = 0").run();
  vi.unstubAllGlobals();
});

const uid = () => crypto.randomUUID().replaceAll("-", "");

/** Destinations whose requests carry secrets: a webhook with a signing secret, a credential header and a token in its URL; every chat type. */
const cases: { type: string; config: () => Record<string, unknown> }[] = [
  {
    type: "webhook",
    config: () => ({
      url: `${hookUrl("secure")}?token=tok${uid()}`,
      headers: { authorization: `Bearer auth${uid()}`, "x-api-token": `hdr${uid()}` },
    }),
  },
  { type: "slack", config: () => ({ url: `https://hooks.slack.com/services/T0AB/B0CD/${uid()}` }) },
  ...platforms.map((p) => ({ type: p.type, config: p.config })),
];

/** Every secret a request carried: its destination's secret strings, what the request made of them, and its signatures. */
function secretsOf(config: Record<string, unknown>, signingSecret: string | undefined, sent: Received): string[] {
  const found: string[] = signingSecret ? [signingSecret] : [];
  for (const value of Object.values(config)) {
    if (typeof value === "string" && value !== config.chatId) found.push(value);
    if (value && typeof value === "object") found.push(...Object.values(value as Record<string, string>));
  }
  const url = new URL(sent.url);
  for (const name of ["token", "access_token", "key", "sign", "sig"]) {
    const v = url.searchParams.get(name);
    if (v) found.push(v, encodeURIComponent(v));
  }
  // A chat webhook URL's tokens are in its path (Slack, Discord, Feishu, a Teams workflow's id).
  found.push(...url.pathname.split("/").filter((segment) => segment.length >= 12));
  for (const name of ["webhook-signature", "authorization", "x-api-token"]) {
    const v = sent.headers[name];
    if (v) found.push(v, ...v.split(" "));
  }
  const body = JSON.parse(sent.body);
  if (typeof body.sign === "string") found.push(body.sign);
  return found.filter((s) => s.length >= 6 && !/^v1,?$/.test(s) && s !== "Bearer");
}

describe("the redaction of secrets in stored requests", () => {
  it.each(cases)(
    "keeps and shows no secret of a $type delivery, even when the receiver echoes it",
    async ({ type, config: makeConfig }) => {
      const config = makeConfig();
      const receiver = installReceiver();
      // A receiver that echoes the whole request back, in its headers and body, and fails so the delivery retries.
      receiver.answer((r) =>
        Response.json(r, {
          status: 500,
          headers: { "x-echo-url": r.url, "x-echo-auth": r.headers.authorization ?? "", "set-cookie": `sid=${uid()}` },
        }),
      );
      const logs: string[] = [];
      for (const level of ["log", "error", "warn", "info"] as const)
        vi.spyOn(console, level).mockImplementation((...args) => void logs.push(args.map(String).join(" ")));
      const { dest, ids, voiceIds } = await parkedDeliveries({ type, config }, 1);
      const [created] = await rows<{ config: string }>("SELECT config FROM destinations WHERE id = ?", dest.id);
      const stored = JSON.parse(created?.config ?? "{}") as Record<string, unknown>;
      const id = ids[0] as string;
      const lanes = withRecordingLanes();
      await consume([id], "callrelay-deliveries", lanes.env);
      const sent = receiver.received[0] as Received;
      expect(sent).toBeDefined();
      const secrets = secretsOf(stored, dest.secret, sent);
      expect(secrets.length).toBeGreaterThan(0);

      const [attempt] = await rows<{ detail_key: string | null }>(
        "SELECT detail_key FROM delivery_attempts WHERE delivery_id = ?",
        id,
      );
      const object = await env.ARCHIVE.get(attempt?.detail_key ?? "");
      expect(object).not.toBeNull();
      const archived = await new Response(object?.body.pipeThrough(new DecompressionStream("gzip"))).text();
      const api = await (await admin(`/deliveries/${id}`)).text();
      const html = await (await page(`/deliveries/${id}`, { cookie: await signIn() })).text();
      vi.restoreAllMocks();
      // What is kept is the request as sent: its body, the call's voiceId in it, and the answer.
      const line = JSON.parse(archived.trim());
      expect(line.deliveryIds).toEqual([id]);
      expect(line.request.body).toContain(voiceIds[0]);
      expect(line.answer.status).toBe(500);
      expect(api).toContain('"detailStatus":"kept"');
      expect(html).toContain('data-part="request-body"');
      for (const secret of secrets) {
        expect(archived, `archive holds ${secret}`).not.toContain(secret);
        expect(api, `API shows ${secret}`).not.toContain(secret);
        expect(html, `page shows ${secret}`).not.toContain(secret);
        expect(logs.join("\n"), `logs hold ${secret}`).not.toContain(secret);
      }
      expect(archived).toContain("[redacted]");
      await env.DB.prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?")
        .bind(id)
        .run();
    },
  );
});
