import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { formatReport, type ReceivedRequest } from "./format.ts";
import { answerFor, type SinkAnswer } from "./respond.ts";
import { type Verification, verifySignature } from "./verify.ts";

/** Largest body read; a larger one is answered 413. */
export const MAX_SINK_BODY_BYTES = 16 * 1024 * 1024;

/** How a sink answers and reports. */
export interface SinkConfig {
  secret?: string;
  status?: number;
  body?: string;
  /** Called with each request's report; omit for a silent sink. */
  log?: (report: string) => void;
  /** Called with each request once its body has arrived, before it is answered. */
  onRequest?: (request: ReceivedRequest, verification: Verification) => void;
}

/** What one request produced. */
export interface Handled {
  answer: SinkAnswer;
  verification: Verification;
  report: string;
}

/** Verifies, answers and reports one request: everything the sink does, without the network. */
export function handleSinkRequest(request: ReceivedRequest, config: SinkConfig, webhook?: Webhook): Handled {
  const verification = verifySignature(webhook, request.body, request.headers);
  const answer = answerFor(request.path, config.status ?? 200, config.body);
  const report = config.log ? formatReport(request, verification, answer, Date.now()) : "";
  return { answer, verification, report };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SINK_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A listening sink. */
export interface RunningSink {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts a sink on `host:port` (port 0 picks a free one). */
export async function startSink(config: SinkConfig & { port: number; host?: string }): Promise<RunningSink> {
  const host = config.host ?? "127.0.0.1";
  const webhook = config.secret ? new Webhook(config.secret) : undefined;
  let seq = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) {
      res.writeHead(413, { "content-type": "text/plain" }).end("body too large or unreadable");
      return;
    }
    const request: ReceivedRequest = {
      seq: ++seq,
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: headersOf(req),
      body,
      receivedAt: Date.now(),
    };
    const handled = handleSinkRequest(request, config, webhook);
    config.onRequest?.(request, handled.verification);
    res.writeHead(handled.answer.status, { "content-type": handled.answer.contentType }).end(handled.answer.body);
    config.log?.(handled.report);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
