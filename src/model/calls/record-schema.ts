import { z } from "zod";
import { type CallReport, type FieldKind, upstreamFields } from "./fields";
import { type Read, readInt, readString, readTime, readVoiceId } from "./values";

const readers: Record<FieldKind, (v: unknown) => Read<unknown>> = { string: readString, int: readInt, time: readTime };
const fieldReaders: [string, (v: unknown) => Read<unknown>][] = [
  ["voiceId", readVoiceId],
  ...Object.entries(upstreamFields).map(([name, kind]): [string, (v: unknown) => Read<unknown>] => [
    name,
    readers[kind],
  ]),
];

/**
 * Every field of a report, null: a report starts as a copy of it, so every report has the same shape (V8 keeps
 * it a fast object, where adding 46 keys one by one makes a dictionary; JSON.parse builds the template fast).
 */
const emptyReport: Record<string, unknown> = JSON.parse(
  JSON.stringify(Object.fromEntries(fieldReaders.map(([name]) => [name, null]))),
);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Body of a push: `{"array": [...]}`; records are read one by one with {@link parseRecord}. */
export const pushBodySchema = z.object({ array: z.array(z.unknown()) });

/**
 * Reads one platform record tolerantly: every known field through its `values.ts` reader, unknown fields
 * ignored here (the archive keeps them). The report, or a one-line reason naming each field that could not be
 * read. Plain code rather than a zod transform: it runs for every record of every push, and zod's per-parse
 * objects cost about as much as the reading itself (docs/benchmarks.md, bench:ingest's CPU part).
 */
export function parseRecord(record: unknown): { ok: true; report: CallReport } | { ok: false; error: string } {
  if (!isRecord(record)) return { ok: false, error: "record is not a JSON object" };
  const report: Record<string, unknown> = { ...emptyReport };
  let error = "";
  for (const [name, read] of fieldReaders) {
    const r = read(record[name]);
    if (r.ok) report[name] = r.value;
    else error += `${error === "" ? "" : "; "}${name}: ${r.error}`;
  }
  return error === "" ? { ok: true, report: report as CallReport } : { ok: false, error };
}
