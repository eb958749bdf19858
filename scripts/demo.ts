#!/usr/bin/env node
// `npm run demo`: the relay and the sink, a webhook destination with the customer's filter, the sample push,
// and the verified event it forwards. Runs until Ctrl-C.
import { readFileSync } from "node:fs";
import { freePort } from "../bench/lib/ports.ts";
import { createApi } from "../cli/http.mjs";
import { applyLocalMigrations, ensureDevVars, optionalVarArgs, startRelay } from "./dev/relay.mjs";
import { startSink } from "./sink/server.ts";

const FILTER = { connected: true, intentCode: { $in: ["302", "303"] } };
const WAIT_MS = 30_000;

const { adminToken, pushToken, vars } = ensureDevVars();
applyLocalMigrations();
const [relayPort, sinkPort] = [await freePort(), await freePort()];
console.log("Starting the relay (wrangler dev, local D1, R2 and Queues)…");
const relay = await startRelay({ args: [...optionalVarArgs(vars), "--port", String(relayPort)], quiet: true });
const api = createApi(fetch, relay.url, adminToken);
const sinkUrl = `http://127.0.0.1:${sinkPort}`;
const destination = (await api.post("/destinations", {
  name: `demo sink ${new Date().toISOString().slice(0, 19)}`,
  type: "webhook",
  config: { url: `${sinkUrl}/hook` },
  filter: FILTER,
})) as { id: string; secret: string };

let received: (report: string) => void = () => {};
const first = new Promise<string>((resolve) => {
  received = resolve;
});
let shown = false;
const sink = await startSink({
  port: sinkPort,
  secret: destination.secret,
  log: (report) => (shown ? console.log(report) : received(report)),
});

const push = await fetch(`${relay.url}/push/${pushToken}`, {
  method: "POST",
  headers: { "content-type": "application/json;charset=UTF-8" },
  body: readFileSync("test/fixtures/sample-push.json"),
});
const pushed = await push.text();
console.log(`
relay:        ${relay.url}   (docs: ${relay.url}/docs)
sink:         ${sinkUrl}/hook
destination:  ${destination.id}, webhook to the sink, filter ${JSON.stringify(FILTER)}
secret:       ${destination.secret}
pushed:       test/fixtures/sample-push.json → HTTP ${push.status} ${pushed.trim()}
`);
const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), WAIT_MS).unref());
const report = await Promise.race([first, timeout]);
shown = true;
if (report === undefined) {
  console.log(`No event reached the sink within ${WAIT_MS / 1000} s: see npx callrelay deliveries list (below).`);
  process.exitCode = 1;
} else {
  console.log(`The sink received the forwarded event:\n${report}`);
}
console.log(`Where to look next (in another terminal):
  export CALLRELAY_URL=${relay.url} CALLRELAY_TOKEN=${adminToken}
  npx callrelay calls list                     the stored call
  npx callrelay deliveries list                what was forwarded, with attempts
  npx callrelay destinations show ${destination.id}
  npx callrelay stats                          counts for the last 24 h
  curl -s -X POST ${relay.url}/push/${pushToken} --data-binary @test/fixtures/sample-push.json   push again
The relay and the sink keep running; the sink prints every request. Ctrl-C stops both.`);

const stop = () => {
  relay.stop();
  void sink.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
await relay.exited;
await sink.close().catch(() => undefined);
