import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { telegram } from "../../messages/destinations/telegram";
import { webhook } from "../../messages/destinations/webhook";
import type { CredentialHost } from "../../messages/types";
import type { destinations } from "../../storage/db/schema";
import { credentialsToRenew, destinationChanges, newDestination, unknownSourceIssues } from "./destination-decide";

type Row = typeof destinations.$inferSelect;
const row = (overrides: Partial<Row> = {}) =>
  ({
    id: "dst_1",
    name: "hook",
    type: "webhook",
    config: { url: "https://a.example/hook", secret: "whsec_x", headers: { authorization: "Bearer t" } },
    filter: {},
    sourceIds: [],
    options: { timezone: "Asia/Shanghai", locale: "en", maskCallee: false },
    template: null,
    events: ["call.reported"],
    enabled: false,
    disabledReason: "receiver answered 410",
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  }) as Row;

describe("destinationChanges", () => {
  it("re-enabling clears the reason and resumes paused deliveries; options merge into the stored ones", () => {
    const { set, enabling } = destinationChanges(
      row(),
      { enabled: true, options: { locale: "zh" } },
      { config: undefined, template: undefined },
      { chat: false },
      5,
    );
    expect(enabling).toBe(true);
    expect(set).toMatchObject({ enabled: true, disabledReason: null, updatedAt: 5 });
    expect(set.options).toMatchObject({ locale: "zh", timezone: "Asia/Shanghai", maskCallee: false });
  });

  it("leaves unchanged columns undefined and an enabled destination not resuming", () => {
    const { set, enabling } = destinationChanges(
      row({ enabled: true }),
      { name: "x", enabled: true },
      { config: undefined, template: undefined },
      { chat: false },
      5,
    );
    expect(enabling).toBe(false);
    expect(set.config).toBeUndefined();
    expect(set.options).toBeUndefined();
    expect(set.name).toBe("x");
  });
});

describe("newDestination", () => {
  it("takes defaults: every call, every source, call.reported, enabled, callee masked for chat", () => {
    const values = newDestination(
      { name: "n", type: "slack", config: {} },
      { config: { url: "u" }, template: null },
      { chat: true },
      "dst_2",
      7,
    );
    expect(values).toMatchObject({ id: "dst_2", filter: {}, sourceIds: [], events: ["call.reported"], enabled: true });
    expect(values.options.maskCallee).toBe(true);
  });
});

describe("unknownSourceIssues", () => {
  it("names each unknown id at its index", () => {
    expect(unknownSourceIssues(["a", "b", "c"], new Set(["b"]))).toEqual([
      { path: "sourceIds[0]", message: "Unknown source a" },
      { path: "sourceIds[2]", message: "Unknown source c" },
    ]);
  });
});

const hostsOf = (type: { credentialHosts?: readonly unknown[] }) =>
  (type.credentialHosts ?? []) as readonly CredentialHost<Record<string, unknown>>[];

describe("credentialsToRenew", () => {
  const stored = { url: "https://a.example/hook", secret: "whsec_x", headers: { authorization: "Bearer t" } };

  it("asks for a webhook's headers again when its url moves to another host, not its signing secret", () => {
    expect(credentialsToRenew(hostsOf(webhook), stored, { url: "https://b.example/hook" })).toEqual([
      { path: "config.headers", message: expect.stringContaining("https://b.example") },
    ]);
  });

  it("keeps them for a new path on the same origin, when they are given, or when none are stored", () => {
    expect(credentialsToRenew(hostsOf(webhook), stored, { url: "https://a.example/other" })).toEqual([]);
    expect(credentialsToRenew(hostsOf(webhook), stored, { url: "https://b.example/", headers: {} })).toEqual([]);
    expect(
      credentialsToRenew(hostsOf(webhook), { url: stored.url, secret: "s" }, { url: "https://b.example/" }),
    ).toEqual([]);
    expect(credentialsToRenew(hostsOf(webhook), stored, { headers: {} })).toEqual([]);
  });

  it("counts another scheme or port as another host", () => {
    expect(credentialsToRenew(hostsOf(webhook), stored, { url: "http://a.example/hook" })).toHaveLength(1);
    expect(credentialsToRenew(hostsOf(webhook), stored, { url: "https://a.example:8443/hook" })).toHaveLength(1);
  });

  it("asks for Telegram's bot token again when apiBase leaves api.telegram.org (its default)", () => {
    const bot = { botToken: "1:x", chatId: "42" };
    expect(credentialsToRenew(hostsOf(telegram), bot, { apiBase: "https://bots.example" })).toEqual([
      { path: "config.botToken", message: expect.stringContaining("https://api.telegram.org") },
    ]);
    expect(credentialsToRenew(hostsOf(telegram), bot, { apiBase: "https://api.telegram.org/" })).toEqual([]);
    expect(credentialsToRenew(hostsOf(telegram), bot, { apiBase: "https://bots.example", botToken: "2:y" })).toEqual(
      [],
    );
  });

  it("for any change, a stored credential reaches a new origin only when the change gives it", () => {
    const origin = fc.constantFrom(
      "https://a.example",
      "https://b.example",
      "http://a.example",
      "https://a.example:8443",
    );
    const url = fc.tuple(origin, fc.constantFrom("/", "/x", "/y?z=1")).map(([o, p]) => `${o}${p}`);
    const headers = fc.option(fc.dictionary(fc.constantFrom("authorization", "x-key"), fc.string()), {
      nil: undefined,
    });
    const change = fc.record({ url, headers }, { requiredKeys: [] });
    fc.assert(
      fc.property(url, headers, change, (storedUrl, storedHeaders, patch) => {
        const before = { url: storedUrl, secret: "s", ...(storedHeaders ? { headers: storedHeaders } : {}) };
        const issues = credentialsToRenew(hostsOf(webhook), before, patch);
        const after = { ...before, ...patch };
        const moved = new URL(after.url).origin !== new URL(storedUrl).origin;
        const carried = moved && Object.keys(storedHeaders ?? {}).length > 0 && after.headers === storedHeaders;
        expect(issues.length > 0).toBe(carried && !("headers" in patch));
      }),
    );
  });
});
