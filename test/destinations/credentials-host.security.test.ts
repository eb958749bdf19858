import { describe, expect, it } from "vitest";
import { page, signIn } from "../console/kit";
import { hookUrl } from "../support/receiver";
import { admin, createDestination, rows } from "../support/worker";

const BOT_TOKEN = `123456:${"a".repeat(35)}`;
const stored = async (id: string) =>
  JSON.parse((await rows<{ config: string }>("SELECT config FROM destinations WHERE id = ?", id))[0]?.config ?? "{}");

describe("credentials follow their host", () => {
  it("refuses to send a webhook's stored headers to another host: 422 naming config.headers", async () => {
    const dest = await createDestination({
      type: "webhook",
      config: { url: hookUrl(), headers: { authorization: "Bearer for-the-old-host" } },
    });
    const res = await admin(`/destinations/${dest.id}`, {
      method: "PATCH",
      body: { config: { url: "http://localhost:9/elsewhere" } },
    });
    expect(res.status).toBe(422);
    const body = await res.json<{ error: { code: string; message: string; details: { path: string }[] } }>();
    expect(body.error.code).toBe("credentials_required");
    expect(body.error.message).toContain("config.headers");
    expect(body.error.details.map((d) => d.path)).toEqual(["config.headers"]);
    expect((await stored(dest.id)).headers).toEqual({ authorization: "Bearer for-the-old-host" });
  });

  it("moves a webhook with the headers given again, or within its host keeping them", async () => {
    const dest = await createDestination({
      type: "webhook",
      config: { url: hookUrl(), headers: { authorization: "Bearer old" } },
    });
    const sameHost = await admin(`/destinations/${dest.id}`, {
      method: "PATCH",
      body: { config: { url: hookUrl("b") } },
    });
    expect(sameHost.status).toBe(200);
    expect((await stored(dest.id)).headers).toEqual({ authorization: "Bearer old" });
    const moved = await admin(`/destinations/${dest.id}`, {
      method: "PATCH",
      body: { config: { url: "http://localhost:9/new", headers: { authorization: "Bearer new" } } },
    });
    expect(moved.status).toBe(200);
    expect(await stored(dest.id)).toMatchObject({
      url: "http://localhost:9/new",
      headers: { authorization: "Bearer new" },
    });
  });

  it("refuses to send Telegram's bot token to another Bot API server: 422 naming config.botToken", async () => {
    const dest = await createDestination({ type: "telegram", config: { botToken: BOT_TOKEN, chatId: "42" } });
    const res = await admin(`/destinations/${dest.id}`, {
      method: "PATCH",
      body: { config: { apiBase: "http://127.0.0.1:9" } },
    });
    expect(res.status).toBe(422);
    const body = await res.json<{ error: { details: { path: string }[] } }>();
    expect(body.error.details.map((d) => d.path)).toEqual(["config.botToken"]);
    expect((await stored(dest.id)).apiBase).toBeUndefined();
    const again = await admin(`/destinations/${dest.id}`, {
      method: "PATCH",
      body: { config: { apiBase: "http://127.0.0.1:9", botToken: BOT_TOKEN } },
    });
    expect(again.status).toBe(200);
  });

  it("shows the console's edit form the same message at the headers field", async () => {
    const cookie = await signIn();
    const dest = await createDestination({
      type: "webhook",
      config: { url: hookUrl(), headers: { authorization: "Bearer old" } },
    });
    const res = await page(`/destinations/${dest.id}/edit`, {
      cookie,
      form: { "config.url": "http://localhost:9/elsewhere", events: "call.reported" },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/id="config-headers-error">give headers again/);
  });
});
