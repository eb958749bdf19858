import { describe, expect, it } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { admin, createDestination, push, record, rows, waitForStatus } from "../support/worker";

/** The delivery rollups of some destinations as kept (keys that count nothing left out). */
const kept = (destinationIds: string[]) =>
  rows(
    `SELECT hour, destination_id, source_id, status, count FROM delivery_rollups
      WHERE count != 0 AND destination_id IN (SELECT value FROM json_each(?)) ORDER BY 1, 2, 3, 4`,
    JSON.stringify(destinationIds),
  );

/** The same counted from the deliveries: what {@link kept} must equal. */
const recount = (destinationIds: string[]) =>
  rows(
    `SELECT created_at / 3600000 AS hour, destination_id, source_id, status, count(*) AS count FROM deliveries
      WHERE destination_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    JSON.stringify(destinationIds),
  );

describe("delivery rollups, kept by each batch (no trigger)", () => {
  it("equal a recount of the deliveries through inserts, attempts, failures, pauses, resumes, retries and a deletion", async () => {
    const receiver = installReceiver();
    const ok = await createDestination({ type: "webhook", config: { url: hookUrl("ok") } });
    const goneUrl = hookUrl("gone");
    const gone = await createDestination({ type: "webhook", config: { url: goneUrl } });
    const off = await createDestination({ type: "webhook", config: { url: hookUrl("off") } });
    receiver.answer((r) => (r.url.startsWith(goneUrl) ? new Response("gone", { status: 410 }) : new Response("ok")));
    await admin(`/destinations/${off.id}`, { method: "PATCH", body: { enabled: false } });
    const ids = [ok.id, gone.id, off.id];

    const calls = [record(), record(), record()];
    expect((await push({ array: calls })).status).toBe(200);
    // A re-push plans nothing new, and counts nothing twice.
    expect((await push({ array: calls })).status).toBe(200);
    for (const c of calls) {
      await waitForStatus(ok.id, c.voiceId, "delivered");
      await waitForStatus(off.id, c.voiceId, "paused");
    }
    // The 410 disabled `gone`: its first delivery failed, the others paused behind it.
    await waitForStatus(gone.id, (calls[0] as { voiceId: string }).voiceId, "failed").catch(() => undefined);
    const statuses = await rows<{ status: string }>("SELECT status FROM deliveries WHERE destination_id = ?", gone.id);
    expect(statuses.every((s) => s.status === "failed" || s.status === "paused")).toBe(true);
    expect(await kept(ids)).toEqual(await recount(ids));

    // Re-enabling resumes the paused deliveries (paused → pending → delivered).
    receiver.answer(() => new Response("ok"));
    await admin(`/destinations/${off.id}`, { method: "PATCH", body: { enabled: true } });
    for (const c of calls) await waitForStatus(off.id, c.voiceId, "delivered");
    expect(await kept(ids)).toEqual(await recount(ids));

    // A bulk retry of what failed or paused (→ pending → delivered).
    await admin(`/destinations/${gone.id}`, { method: "PATCH", body: { enabled: true } });
    const retried = await admin(`/destinations/${gone.id}/retry`, { body: { status: ["failed", "paused"] } });
    expect(retried.status).toBe(200);
    for (const c of calls) await waitForStatus(gone.id, c.voiceId, "delivered");
    expect(await kept(ids)).toEqual(await recount(ids));

    // Deleting a destination fails its unsent deliveries.
    await admin(`/destinations/${off.id}`, { method: "PATCH", body: { enabled: false } });
    const later = [record()];
    await push({ array: later });
    await waitForStatus(off.id, (later[0] as { voiceId: string }).voiceId, "paused");
    expect((await admin(`/destinations/${off.id}`, { method: "DELETE" })).status).toBe(204);
    await waitForStatus(off.id, (later[0] as { voiceId: string }).voiceId, "failed");
    expect(await kept(ids)).toEqual(await recount(ids));
  });
});
