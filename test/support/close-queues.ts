import { afterAll } from "vitest";
import worker from "../../src/index";

/**
 * Queue work must not outlive its test file. The local queues dispatch batches into the test runner itself, and
 * a batch that arrives while the runner tears the file down (a delivery retried for a receiver that is gone, a
 * message redelivered after its delay) runs the Worker's code against a runner that no longer answers: the
 * runner then never reports the file as stopped and the whole run stalls. So, once a file's tests are done, its
 * queue handler takes no new work (a batch is acked unread: nothing is left to redeliver), and the file ends only
 * when the batches already running, and what they left running in the background (`waitUntil`), have finished.
 */
const handle = worker.queue.bind(worker);
let closed = false;
const running = new Set<Promise<void>>();

worker.queue = (batch, env, ctx) => {
  if (closed) {
    batch.ackAll();
    return Promise.resolve();
  }
  // Work a batch leaves running in the background (stragglers) counts as running too.
  const track = (promise: Promise<unknown>) => {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    running.add(settled);
    settled.finally(() => running.delete(settled));
    return promise;
  };
  // The handler uses only `waitUntil` of its context.
  const tracked = { waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(track(promise)) } as ExecutionContext;
  return track(handle(batch, env, tracked)) as Promise<void>;
};

afterAll(async () => {
  closed = true;
  await Promise.allSettled([...running]);
});
