import { afterEach, describe, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, allPages, createDestination } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
}

describe("GET /audit", () => {
  it("records each successful change through the admin API once, with who, what and when; reads are not recorded", async () => {
    installReceiver();
    const before = Date.now();
    const dest = await createDestination({ type: "webhook", config: { url: hookUrl() } });
    expect((await admin(`/destinations/${dest.id}`, { method: "PATCH", body: { name: "renamed" } })).status).toBe(200);
    expect((await admin(`/destinations/${dest.id}`)).status).toBe(200);
    expect((await admin(`/destinations/${dest.id}/rotate-secret`, { method: "POST" })).status).toBe(200);
    expect((await admin("/destinations", { body: { name: "bad", type: "webhook", config: {} } })).status).toBe(400);
    expect((await admin("/filters/preview", { body: { filter: {} } })).status).toBe(200);
    expect((await admin(`/destinations/${dest.id}`, { method: "DELETE" })).status).toBe(204);
    const page = await (await admin("/audit?limit=10")).json<{ data: Entry[] }>();
    const mine = page.data.filter((e) => e.target === dest.id).reverse();
    expect(mine.map((e) => e.action)).toEqual([
      "destinations.create",
      "destinations.update",
      "destinations.rotate-secret",
      "destinations.delete",
    ]);
    for (const e of mine) {
      expect(e.actor).toBe("admin token");
      expect(e.outcome).toBe("ok");
      expect(Date.parse(e.at)).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(JSON.stringify(page.data)).not.toContain("whsec_");
  });

  it("pages newest first with a cursor, each entry once", async () => {
    for (let i = 0; i < 5; i++)
      expect((await admin("/sources", { body: { name: `audit-${crypto.randomUUID()}` } })).status).toBe(201);
    const pages = await allPages<Entry>("/audit?limit=2", 1000);
    const ids = pages.flatMap((p) => p.data.map((e) => e.id));
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it("refuses a bad cursor and needs the admin token", async () => {
    expect((await admin("/audit?cursor=zzz")).status).toBe(400);
    expect((await admin("/audit", { token: "nope" })).status).toBe(401);
  });
});
