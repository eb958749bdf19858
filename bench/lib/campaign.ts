import { readFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { assertLoopback } from "./ports.ts";

/** One request the campaign receiver got, and what it answered. */
export interface Hit {
  at: number;
  path: string;
  webhookId: string;
  voiceId: string | undefined;
  status: number | null;
  headers: Record<string, string>;
  body: string;
}

/**
 * The campaign's receivers on one port: `/healthy` answers 200 (or 500 to the first attempt of the calls
 * `failFirst` picks), `/hang` never answers, `/floor` answers 200 and records nothing.
 */
export async function startCampaignReceiver() {
  const hits: Hit[] = [];
  const hanging = new Set<ServerResponse>();
  let failFirst: (voiceId: string) => boolean = () => false;
  const failedOnce = new Set<string>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "/";
    if (path.startsWith("/floor")) {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    let voiceId: string | undefined;
    try {
      voiceId = (JSON.parse(body) as { data?: { voiceId?: string } }).data?.voiceId;
    } catch {
      voiceId = undefined;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const hit: Hit = {
      at: performance.now(),
      path,
      webhookId: headers["webhook-id"] ?? "",
      voiceId,
      status: null,
      headers,
      body,
    };
    hits.push(hit);
    if (path.startsWith("/hang")) {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    const fail = voiceId !== undefined && failFirst(voiceId) && !failedOnce.has(voiceId);
    if (fail) failedOnce.add(voiceId as string);
    hit.status = fail ? 500 : 200;
    res.writeHead(hit.status, { "content-type": "application/json" }).end(fail ? '{"error":"busy"}' : '{"ok":true}');
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  assertLoopback(url);
  return {
    url,
    hits,
    /** From now on, the first attempt of each call `pick` chooses is answered 500. */
    failFirstOf(pick: (voiceId: string) => boolean) {
      failFirst = pick;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** The parts of a round's wall time the consumer logs with each `delivery batch` line (ms). */
const ROUND_PARTS = [
  "claimReadMs",
  "claimWriteMs",
  "renderMs",
  "pacerMs",
  "sendMs",
  "poolMs",
  "recordMs",
  "recordD1Ms",
  "judgeMs",
  "enqueueMs",
] as const;
type RoundPart = (typeof ROUND_PARTS)[number];

/** What one lane's invocations and rounds add up to. */
export interface LaneTimes {
  invocations: number;
  rounds: number;
  /** From the first invocation's start to the last one's end, and the time in no invocation within it. */
  spanMs: number;
  idleMs: number;
  invocationMs: number;
  takeDueMs: number;
  parts: Record<RoundPart, number>;
}

/** What the consumer's `delivery batch` (per round) and `delivery invocation` log lines add up to, from `offset` of the wrangler log. */
export async function batchLog(logFile: string, offset: number) {
  const text = (await readFile(logFile, "utf8")).slice(offset);
  let batches = 0;
  let claimed = 0;
  let statements = 0;
  const lanes = new Map<string, LaneTimes & { ends: [number, number][] }>();
  const laneOf = (lane: string) => {
    let found = lanes.get(lane);
    if (!found) {
      const parts = Object.fromEntries(ROUND_PARTS.map((p) => [p, 0])) as Record<RoundPart, number>;
      found = { invocations: 0, rounds: 0, spanMs: 0, idleMs: 0, invocationMs: 0, takeDueMs: 0, parts, ends: [] };
      lanes.set(lane, found);
    }
    return found;
  };
  for (const match of text.matchAll(/\{"msg":"delivery batch"[^}]*\}/g)) {
    const line = JSON.parse(match[0]) as { lane: string; claimed: number; d1Statements: number } & Partial<
      Record<RoundPart, number>
    >;
    batches += 1;
    claimed += line.claimed;
    statements += line.d1Statements;
    const lane = laneOf(line.lane);
    lane.rounds += 1;
    for (const p of ROUND_PARTS) lane.parts[p] += line[p] ?? 0;
  }
  // What stragglers recorded in the background, after their batch returned.
  for (const match of text.matchAll(/\{"msg":"delivery stragglers"[^}]*\}/g)) {
    statements += (JSON.parse(match[0]) as { d1Statements: number }).d1Statements;
  }
  for (const match of text.matchAll(/\{"msg":"delivery invocation"[^}]*\}/g)) {
    const line = JSON.parse(match[0]) as { lane: string; startedAt: number; totalMs: number; takeDueMs: number };
    const lane = laneOf(line.lane);
    lane.invocations += 1;
    lane.invocationMs += line.totalMs;
    lane.takeDueMs += line.takeDueMs;
    lane.ends.push([line.startedAt, line.startedAt + line.totalMs]);
  }
  const times = new Map<string, LaneTimes>();
  for (const [name, { ends, ...lane }] of lanes) {
    ends.sort((a, b) => a[0] - b[0]);
    let busyUntil = ends[0]?.[0] ?? 0;
    for (const [start, end] of ends) {
      lane.idleMs += Math.max(0, start - busyUntil);
      busyUntil = Math.max(busyUntil, end);
    }
    lane.spanMs = ends.length === 0 ? 0 : busyUntil - (ends[0] as [number, number])[0];
    times.set(name, lane);
  }
  return { batches, claimed, statements, times, end: offset + text.length };
}
