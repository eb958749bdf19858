import { afterEach, expect, it, vi } from "vitest";
import { hookUrl, installReceiver } from "../support/receiver";
import { createDestination, push, record } from "../support/worker";

afterEach(() => vi.unstubAllGlobals());

// Run by suite-ends.node.test.ts, not by the suite: a file that leaves hundreds of deliveries in the queues, for a
// receiver that hangs and then is gone. Without test/support/close-queues.ts its run never ends.
it("leaves queue work behind for a receiver that is gone", async () => {
  const receiver = installReceiver();
  receiver.answer(() => "hang");
  await createDestination({ type: "webhook", config: { url: hookUrl() } });
  const res = await push({ array: Array.from({ length: 300 }, () => record()) });
  expect(res.status).toBe(200);
  await new Promise((r) => setTimeout(r, 1500));
});
