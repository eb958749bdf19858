import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, rows } from "../support/worker";
import { page, signIn } from "./kit";

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(() => vi.unstubAllGlobals());

const options = async (id: string) => {
  const [row] = await rows<{ options: string }>("SELECT options FROM destinations WHERE id = ?", id);
  return JSON.parse(row?.options ?? "{}") as Record<string, unknown>;
};

describe("the destination form fits its fields", () => {
  it("edits booleans with a checkbox, enumerations with a select, numbers with a number input", async () => {
    installReceiver();
    const dest = await createDestination({ name: "forms", type: "webhook", config: { url: hookUrl() } });
    const text = await (await page(`/destinations/${dest.id}`, { cookie })).text();
    expect(text).toMatch(/<input type="checkbox" id="options-maskCallee" name="options\.maskCallee"/);
    expect(text).toMatch(/<select id="options-locale" name="options\.locale"/);
    expect(text).toMatch(
      /<input type="number" id="options-silentMinutes" name="options\.silentMinutes"[^>]* min="5" max="1440" step="1"/,
    );
    expect(text).toMatch(/<input type="number" id="options-dropRatio"[^>]* step="any"/);
    // Labelled settings, never JSON.
    expect(text).toContain("Mask callee numbers");
    expect(text).not.toContain("{&quot;url&quot;");
  });

  it("clears a setting left blank, and sets a boolean from its checkbox", async () => {
    installReceiver();
    const dest = await createDestination({
      name: "clearing",
      type: "webhook",
      config: { url: hookUrl() },
      options: { silentMinutes: 45, digestAt: "08:00", maskCallee: true },
    });
    expect(await options(dest.id)).toMatchObject({ silentMinutes: 45, digestAt: "08:00", maskCallee: true });
    const form = new URLSearchParams([
      ["events", "call.reported"],
      ["options.silentMinutes", ""],
      ["options.digestAt", "08:00"],
      ["options.locale", "zh"],
      ["sourceIds", ""],
    ]);
    const res = await page(`/destinations/${dest.id}/edit`, { cookie, form });
    expect(res.status).toBe(303);
    const after = await options(dest.id);
    expect(after).not.toHaveProperty("silentMinutes");
    expect(after).toMatchObject({ digestAt: "08:00", locale: "zh", maskCallee: false });
  });

  it("clears an optional secret only when its box is ticked", async () => {
    installReceiver();
    const dest = await createDestination({
      name: "headers",
      type: "webhook",
      config: { url: hookUrl(), headers: { "x-team": "ops" } },
    });
    const config = async () => {
      const [row] = await rows<{ config: string }>("SELECT config FROM destinations WHERE id = ?", dest.id);
      return JSON.parse(row?.config ?? "{}") as Record<string, unknown>;
    };
    const base: [string, string][] = [
      ["events", "call.reported"],
      ["config.url", ""],
      ["config.secret", ""],
      ["config.headers", ""],
    ];
    expect((await page(`/destinations/${dest.id}/edit`, { cookie, form: new URLSearchParams(base) })).status).toBe(303);
    expect(await config()).toHaveProperty("headers", { "x-team": "ops" });
    const clear = new URLSearchParams([...base, ["config.headers.clear", "on"]]);
    expect((await page(`/destinations/${dest.id}/edit`, { cookie, form: clear })).status).toBe(303);
    expect(await config()).not.toHaveProperty("headers");
    expect(await config()).toHaveProperty("url");
  });

  it("shows an unreadable number at its field", async () => {
    installReceiver();
    const dest = await createDestination({ name: "numbers", type: "webhook", config: { url: hookUrl() } });
    const form = { events: "call.reported", "options.dropRatio": "half" };
    const res = await page(`/destinations/${dest.id}/edit`, { cookie, form });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/id="options-dropRatio-error">must be a number/);
  });
});
