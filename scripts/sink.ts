#!/usr/bin/env node
// `npm run sink`: a local receiver that prints what callrelay's destinations send. See `npm run sink -- --help`.
import { parseSinkOptions, sinkUsage } from "./sink/options.ts";
import { startSink } from "./sink/server.ts";

let options: ReturnType<typeof parseSinkOptions>;
try {
  options = parseSinkOptions(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`${(err as Error).message}\n\n${sinkUsage}`);
  process.exit(2);
}
if (options.help) {
  console.log(sinkUsage);
  process.exit(0);
}

const sink = await startSink({ ...options, log: (report) => console.log(report) }).catch((err: Error) => {
  console.error(`sink: cannot listen on 127.0.0.1:${options.port}: ${err.message}`);
  process.exit(1);
});
console.log(`sink listening on ${sink.url}
  webhook destination URL: ${sink.url}/hook   (the worker needs ALLOW_HTTP_DESTINATIONS=1)
  slack destination URL:   ${sink.url}/slack/T000/B000/XXXX
  signatures: ${options.secret ? "checked with the given secret" : "not checked (pass --secret whsec_... to check them)"}
  answering:  ${options.status}${options.body === undefined ? "" : ` ${JSON.stringify(options.body)}`}
`);

const stop = () => {
  sink.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
