import { describe, expect, it } from "vitest";
import { admin, createDestination } from "../support/worker";

type ErrorBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

const window = { since: "2026-03-01T00:00:00Z", until: "2026-03-02T00:00:00Z" };

describe("destination actions on unknown destinations", () => {
  it.each(["test", "replay", "rotate-secret"])("POST /destinations/{id}/%s answers 404", async (action) => {
    const res = await admin(`/destinations/dst_missing/${action}`, {
      method: "POST",
      body: action === "replay" ? window : undefined,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No destination dst_missing" } });
  });
});

describe("POST /destinations/{id}/replay validation", () => {
  it.each([
    [{ until: window.until }, "since"],
    [{ since: "last week", until: window.until }, "since"],
    [{ since: window.until, until: window.since }, "until"],
    [{ ...window, filter: { intentCod: "302" } }, "filter.intentCod"],
    [{ ...window, filter: { callDuration: { $gte: "10" } } }, "filter.callDuration.$gte"],
    [{ ...window, cursor: "not-a-cursor" }, "cursor"],
    [{ ...window, limit: 10 }, "limit"],
  ])("rejects %j with a 400 naming %j", async (body, path) => {
    const dest = await createDestination({ type: "webhook", config: { url: "https://example.com/hook" } });
    const res = await admin(`/destinations/${dest.id}/replay`, { body });
    expect(res.status).toBe(400);
    const error = (await res.json<ErrorBody>()).error;
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("answers 400 for a body that is not JSON", async () => {
    const dest = await createDestination({ type: "webhook", config: { url: "https://example.com/hook" } });
    const res = await admin(`/destinations/${dest.id}/replay`, { method: "POST" });
    expect(res.status).toBe(400);
  });
});

describe("POST /destinations/{id}/rotate-secret", () => {
  it("answers 400 for a destination without a signing secret", async () => {
    const dest = await createDestination({ type: "slack", config: { url: "https://hooks.slack.com/services/T/B/x" } });
    const res = await admin(`/destinations/${dest.id}/rotate-secret`, { method: "POST" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "bad_request", message: `Only a webhook destination has a signing secret; ${dest.id} is slack` },
    });
  });
});
