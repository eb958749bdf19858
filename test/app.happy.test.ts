import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import journal from "../migrations/meta/_journal.json";
import pkg from "../package.json";
import { BASE } from "./support/worker";

const LATEST_MIGRATION = journal.entries.at(-1)?.tag;

describe("GET /health", () => {
  it("reports the version and that D1 answers", async () => {
    const res = await exports.default.fetch(`${BASE}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      version: pkg.version,
      d1: true,
      storage: {
        bytes: expect.toBeOneOf([null, expect.any(Number)]),
        limitBytes: 10_000_000_000,
        percent: expect.toBeOneOf([null, expect.any(Number)]),
        measuredAt: expect.toBeOneOf([null, expect.any(String)]),
      },
      cron: { lastRunAt: expect.toBeOneOf([null, expect.any(String)]) },
      migrations: { expected: LATEST_MIGRATION, applied: LATEST_MIGRATION, current: true },
      jobs: { pending: 0, running: 0, done: 0, failed: 0 },
      // The test tokens are short on purpose: /health says so.
      warnings: [
        "ADMIN_TOKEN is 16 characters long: use 32 or more (openssl rand -hex 32)",
        "PUSH_TOKEN is 15 characters long: use 32 or more (openssl rand -hex 32)",
      ],
      // No CALLS_STREAM binding here: nothing waits for a stream.
      history: {
        configured: false,
        pendingPushes: 0,
        pendingRows: 0,
        oldestPendingAt: null,
        invalidRows: 0,
        lastConfirmedAt: null,
        streamedFrom: null,
        backfillSince: null,
      },
    });
  });
});

describe("unknown routes", () => {
  it("answer a JSON 404 in the one error shape", async () => {
    const res = await exports.default.fetch(`${BASE}/nope`, { method: "PUT" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No route for PUT /nope" } });
  });
});
