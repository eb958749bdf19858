import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json";
import { app } from "../../src/app";
import { consoleApp } from "../../src/console/app";
import { operationEventTypes } from "../../src/model/events/types";
import { BASE } from "../support/worker";

interface Operation {
  security?: Record<string, string[]>[];
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
}
interface Document {
  openapi: string;
  info: { version: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

const methods = ["get", "post", "put", "patch", "delete"];
const publicOperations = [
  "GET /health",
  "POST /push/{token}",
  "GET /recordings/{token}",
  "GET /openapi.json",
  "GET /docs",
];

async function getDocument() {
  const res = await exports.default.fetch(`${BASE}/openapi.json`);
  expect(res.status).toBe(200);
  return res.json<Document>();
}

function operations(doc: Document) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    methods.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, op: item[m] as Operation })),
  );
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document of this version, served from the request's origin, without auth", async () => {
    const doc = await getDocument();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.servers).toEqual([{ url: BASE }]);
    const elsewhere = await exports.default.fetch("http://127.0.0.1:8787/openapi.json");
    expect((await elsewhere.json<Document>()).servers).toEqual([{ url: "http://127.0.0.1:8787" }]);
  });

  it("documents every route the app serves, and only those (the console's pages are not API)", async () => {
    const pages = new Set(consoleApp.routes.map((r) => `${r.method} ${r.path}`));
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && !pages.has(`${r.method} ${r.path}`))
        .map((r) => `${r.method} ${r.path.replace(/:([^/]+)/g, "{$1}")}`),
    );
    const documented = new Set(operations(await getDocument()).map((o) => o.key));
    expect([...served].sort()).toEqual([...documented].sort());
    for (const key of [
      "GET /api/v1/deliveries",
      "GET /api/v1/deliveries/{id}",
      "POST /api/v1/deliveries/{id}/retry",
      "POST /api/v1/destinations/{id}/test",
      "POST /api/v1/destinations/{id}/replay",
      "POST /api/v1/destinations/{id}/rotate-secret",
      ...publicOperations,
    ]) {
      expect(documented).toContain(key);
    }
  });

  it("requires the admin token for every admin operation and nothing for the public ones", async () => {
    const doc = await getDocument();
    expect(doc.components.securitySchemes.adminToken).toEqual({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ adminToken: [] }]);
    for (const { key, op } of operations(doc)) {
      const effective = op.security ?? doc.security;
      if (publicOperations.includes(key)) expect(effective, key).toEqual([]);
      else {
        expect(key).toMatch(/^[A-Z]+ \/api\/v1\//);
        expect(effective, key).toEqual([{ adminToken: [] }]);
      }
    }
  });

  it("describes the push endpoint's body and answers", async () => {
    const push = (await getDocument()).paths["/push/{token}"]?.post as Operation;
    expect(push.parameters).toEqual([expect.objectContaining({ name: "token", in: "path" })]);
    const body = push.requestBody?.content["application/json"]?.schema;
    expect(body).toEqual({ $ref: "#/components/schemas/PushBody" });
    expect(Object.keys(push.responses).sort()).toEqual(["200", "400", "401", "413", "503"]);
  });

  it("names its schemas as components", async () => {
    const { schemas } = (await getDocument()).components;
    for (const name of [
      "Delivery",
      "DeliveryAttempt",
      "Destination",
      "Error",
      "PushBody",
      "PushResult",
      "ReplayResult",
    ]) {
      expect(schemas).toHaveProperty(name);
    }
    expect(schemas.PushBody).toMatchObject({
      type: "object",
      properties: { array: { type: "array" } },
      required: ["array"],
    });
  });
});

describe("GET /docs", () => {
  it("is a self-contained page listing every operation", async () => {
    const res = await exports.default.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|\ssrc=|@import|url\(/i);
    for (const { key, op } of operations(await getDocument())) {
      const [method, path] = key.split(" ") as [string, string];
      expect(html).toContain(`${method} ${path}`);
      if (op.summary) expect(html).toContain(op.summary.replace(/`[^`]*`/g, "").slice(0, 10));
    }
    expect(html).toContain('id="schema-Delivery"');
    expect(html).toContain('<a href="#schema-Error">');
  });
});

describe("the OpenAPI document for an operator", () => {
  type Schema = Record<string, unknown> & { properties?: Record<string, { description?: string; enum?: unknown[] }> };

  it("describes every field of the call record, with code values, labels and units", async () => {
    const { components } = await getDocument();
    const call = components.schemas.Call as Schema & { example: Record<string, unknown> };
    const fields = Object.entries(call.properties ?? {});
    expect(fields).toHaveLength(46);
    for (const [name, field] of fields) expect(field.description, name).toMatch(/\w{3,}/);
    const props = call.properties ?? {};
    expect(props.callStatusNew?.description).toContain("1 = `connected`, 2 = `connected_abnormal`");
    expect(props.callDescription?.description).toContain("8 = `no_answer`, 10 = `balance_announcement`");
    expect(props.callDuration?.description).toContain("in seconds");
    expect(props.answerTime?.description).toContain("epoch milliseconds");
    expect(props.callStatusLabel?.enum).toEqual([
      "connected",
      "connected_abnormal",
      "not_connected",
      "not_connected_abnormal",
      null,
    ]);
    expect(call.example).toMatchObject({ voiceId: "260326152224160100152", intentCode: "302", connected: true });
  });

  it("gives each destination type's config its own schema, as a union discriminated by type", async () => {
    const { components, paths } = await getDocument();
    const create = components.schemas.DestinationCreate as {
      oneOf: { $ref: string }[];
      discriminator: { propertyName: string; mapping: Record<string, string> };
    };
    const types = ["webhook", "slack", "telegram", "feishu", "dingtalk", "wecom", "discord", "teams"];
    expect(create.discriminator.propertyName).toBe("type");
    expect(Object.keys(create.discriminator.mapping)).toEqual(types);
    expect(create.oneOf).toHaveLength(types.length);
    const telegram = components.schemas.TelegramConfig as Schema & { required: string[] };
    expect(Object.keys(telegram.properties ?? {})).toEqual(["botToken", "chatId", "messageThreadId", "apiBase"]);
    expect(telegram.required).toEqual(["botToken", "chatId"]);
    const webhook = components.schemas.WebhookConfig as Schema & { required: string[] };
    expect(Object.keys(webhook.properties ?? {})).toEqual(["url", "secret", "headers"]);
    expect(webhook.required).toEqual(["url"]);

    const post = paths["/api/v1/destinations"]?.post as unknown as {
      requestBody: { content: Record<string, { schema: unknown; example: Record<string, unknown> }> };
      responses: Record<string, { content: Record<string, { example: Record<string, unknown> }> }>;
    };
    const body = post.requestBody.content["application/json"];
    expect(body?.schema).toEqual({ $ref: "#/components/schemas/DestinationCreate" });
    expect(body?.example).toMatchObject({ type: "webhook", filter: { connected: true } });
    expect(post.responses["201"]?.content["application/json"]?.example).toMatchObject({
      id: expect.stringMatching(/^dst_/),
      secret: expect.stringMatching(/^whsec_/),
    });
  });

  it("documents what webhooks receive for every event type, with its data shape", async () => {
    const doc = (await getDocument()) as unknown as {
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }>;
      components: { schemas: Record<string, { properties: Record<string, { const?: string; required?: string[] }> }> };
    };
    expect(Object.keys(doc.webhooks).sort()).toEqual([...operationEventTypes].sort());
    const ref = doc.webhooks["breaker.closed"]?.post.requestBody.content["application/json"]?.schema.$ref;
    expect(ref).toBe("#/components/schemas/BreakerClosedEvent");
    const schema = doc.components.schemas.BreakerClosedEvent;
    expect(schema?.properties.type?.const).toBe("breaker.closed");
    expect(schema?.properties.data?.required).toEqual(["destinationId", "destinationName", "openedAt"]);
    expect(doc.components.schemas.DigestDailyEvent?.properties.data?.required).toContain("topIntents");
  });

  it("gives the push endpoint the sample push and its answer as examples", async () => {
    const { paths, components } = await getDocument();
    const push = paths["/push/{token}"]?.post as unknown as {
      requestBody: { content: Record<string, { schema: { $ref: string } }> };
    };
    const ref = push.requestBody.content["application/json"]?.schema.$ref ?? "";
    const schema = components.schemas[ref.split("/").at(-1) ?? ""] as { example: { array: Record<string, unknown>[] } };
    expect(schema.example.array[0]).toMatchObject({ voiceId: "260326152224160100152", callStatusNew: 1 });
    expect((components.schemas.PushResult as { example: unknown }).example).toMatchObject({ ok: true, accepted: 1 });
  });

  it("renders the call record's fields as a readable table on /docs", async () => {
    const html = await (await exports.default.fetch(`${BASE}/docs`)).text();
    expect(html).toContain("<tr><td><code>callDuration</code>");
    expect(html).toContain("Talk time, in seconds.");
    expect(html).toContain('id="schema-TelegramConfig"');
    expect(html).toContain("<details><summary>Example</summary>");
  });
});
