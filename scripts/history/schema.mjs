#!/usr/bin/env node
// `npm run history:schema`: writes basin/calls.schema.json, the calls stream's schema, from src/model/history/schema.ts
// (which derives it from the D1 `calls` table). `--check` exits 1 when the file differs instead of writing it.
import { readFile, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const FILE = "basin/calls.schema.json";
const bundled = await build({
  entryPoints: ["src/model/history/schema.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  write: false,
  logLevel: "error",
});
const code = bundled.outputFiles[0]?.text ?? "";
const { callsStreamSchema } = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
const text = `${JSON.stringify(callsStreamSchema, null, 2)}\n`;
if (process.argv.includes("--check")) {
  const current = await readFile(FILE, "utf8").catch(() => "");
  if (current !== text) {
    console.error(`${FILE} differs from the D1 schema's definitions: run npm run history:schema`);
    process.exit(1);
  }
  console.log(`${FILE} is current`);
} else {
  await writeFile(FILE, text);
  console.log(`wrote ${FILE} (${callsStreamSchema.fields.length} fields)`);
}
