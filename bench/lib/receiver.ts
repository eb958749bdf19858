import { startSink } from "../../scripts/sink/server.ts";

/** One webhook request the receiver got. */
export interface Arrival {
  /** `performance.now()` when its body had arrived. */
  at: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  voiceId: string | undefined;
}

/**
 * The sink from `npm run sink`, silent, recording when each request arrived (by the call's `voiceId` in the
 * webhook payload). Answers 200 `{"ok":true}`.
 */
export async function startReceiver() {
  const arrivals: Arrival[] = [];
  const sink = await startSink({
    port: 0,
    onRequest: (request) => {
      const at = performance.now();
      let voiceId: string | undefined;
      try {
        voiceId = (JSON.parse(request.body) as { data?: { voiceId?: string } }).data?.voiceId;
      } catch {
        voiceId = undefined;
      }
      arrivals.push({ at, path: request.path, headers: request.headers, body: request.body, voiceId });
    },
  });
  return { ...sink, arrivals };
}
