import { vi } from "vitest";

/** A request the Worker sent out. */
export interface Received {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

type Answer = Response | "hang";
type Responder = (request: Received, index: number) => Answer | Promise<Answer>;

/**
 * Replaces global `fetch` (which the Worker under test shares with the tests) with a receiver that
 * records every outbound request and answers as the test says. Nothing reaches the network.
 */
export function installReceiver() {
  const received: Received[] = [];
  let respond: Responder = () => new Response("ok", { status: 200 });
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const entry: Received = {
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
      at: Date.now(),
    };
    received.push(entry);
    const answer = await respond(entry, received.length - 1);
    if (answer !== "hang") return answer;
    const signal = init?.signal;
    return new Promise<Response>((_, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason));
    });
  });
  return {
    received,
    /** Requests sent to URLs starting with `prefix`. */
    to: (prefix: string) => received.filter((r) => r.url.startsWith(prefix)),
    /** Sets how the receiver answers from now on. */
    answer(responder: Responder) {
      respond = responder;
    },
  };
}

/** A unique loopback URL for one test's destination. */
export function hookUrl(name = "hook"): string {
  return `http://127.0.0.1:9/${name}/${crypto.randomUUID()}`;
}
