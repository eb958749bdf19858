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

/** What the consumer's `delivery batch` log lines add up to, from `offset` of the wrangler log. */
export async function batchLog(logFile: string, offset: number) {
  const text = (await readFile(logFile, "utf8")).slice(offset);
  let batches = 0;
  let claimed = 0;
  let statements = 0;
  for (const match of text.matchAll(/\{"msg":"delivery batch"[^}]*\}/g)) {
    const line = JSON.parse(match[0]) as { claimed: number; d1Statements: number };
    batches += 1;
    claimed += line.claimed;
    statements += line.d1Statements;
  }
  return { batches, claimed, statements, end: offset + text.length };
}
