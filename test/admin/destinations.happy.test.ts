import { describe, expect, it } from "vitest";
import { admin } from "../support/worker";

const webhookBody = {
  name: "CRM",
  type: "webhook",
  config: { url: "https://crm.example.com/hooks/calls?key=s3cret", headers: { authorization: "Bearer abc" } },
  filter: { connected: true, intentCode: { $in: ["302", "303"] } },
};

describe("destinations API", () => {
  it("creates a webhook destination, returning its generated secret only then", async () => {
    const res = await admin("/destinations", { body: webhookBody });
    expect(res.status).toBe(201);
    const created = await res.json<Record<string, unknown>>();
    expect(created).toMatchObject({
      id: expect.stringMatching(/^dst_/),
      name: "CRM",
      type: "webhook",
      filter: webhookBody.filter,
      sourceIds: [],
      options: { timezone: "Asia/Shanghai", locale: "en", maskCallee: false },
      enabled: true,
      disabledReason: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{32,}$/),
    });
    const read = await (await admin(`/destinations/${created.id}`)).json<Record<string, unknown>>();
    expect(read.secret).toBeUndefined();
    expect(read.config).toEqual({
      url: "https://crm.example.com/…",
      secret: "********",
      headers: { authorization: "********" },
    });
    expect(JSON.stringify(read)).not.toContain("s3cret");
    expect(JSON.stringify(read)).not.toContain(created.secret as string);
  });

  it("accepts the built-in default source before its first push", async () => {
    const res = await admin("/destinations", { body: { ...webhookBody, sourceIds: ["src_default"] } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ sourceIds: ["src_default"] });
  });

  it("keeps a secret the caller gives", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const res = await admin("/destinations", { body: { ...webhookBody, config: { ...webhookBody.config, secret } } });
    expect((await res.json<{ secret: string }>()).secret).toBe(secret);
  });

  it("defaults chat destinations to a masked callee", async () => {
    const res = await admin("/destinations", {
      body: { name: "ops", type: "slack", config: { url: "https://hooks.slack.com/services/T0/B0/xyz" } },
    });
    expect(res.status).toBe(201);
    const created = await res.json<{ options: unknown; filter: unknown; config: unknown }>();
    expect(created).toMatchObject({
      options: { maskCallee: true },
      filter: {},
      config: { url: "https://hooks.slack.com/…" },
    });
  });

  it("lists, changes and deletes destinations", async () => {
    const { id } = await (await admin("/destinations", { body: webhookBody })).json<{ id: string }>();
    const list = await (await admin("/destinations")).json<{ data: { id: string }[] }>();
    expect(list.data.map((d) => d.id)).toContain(id);

    const patched = await admin(`/destinations/${id}`, {
      method: "PATCH",
      body: {
        name: "CRM 2",
        options: { locale: "zh", timezone: "Europe/Paris" },
        config: { url: "https://crm.example.com/v2" },
      },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      name: "CRM 2",
      options: { locale: "zh", timezone: "Europe/Paris", maskCallee: false },
      config: { url: "https://crm.example.com/…", secret: "********" },
    });

    expect((await admin(`/destinations/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await admin(`/destinations/${id}`)).status).toBe(404);
  });
});
