import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import worker from "../../src/index";
import { admin, BASE, PUSH_TOKEN, record, rows } from "../support/worker";

it("records the database size a push's batch reports, for the storage watchdog", async () => {
  await env.DB.prepare("DELETE FROM storage_usage").run();
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/push/${PUSH_TOKEN}`, { method: "POST", body: JSON.stringify({ array: [record()] }) }),
    env,
    ctx,
  );
  expect(res.status).toBe(200);
  await waitOnExecutionContext(ctx);
  const [row] = await rows<{ bytes: number }>("SELECT bytes FROM storage_usage WHERE id = 1");
  expect(row?.bytes).toBeGreaterThan(0);
  const { storage } = await (await admin("/stats")).json<{ storage: { bytes: number | null } }>();
  expect(storage.bytes).toBe(row?.bytes);
});
