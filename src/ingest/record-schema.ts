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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Body of a push: `{"array": [...]}`; records are checked one by one with {@link recordSchema}. */
export const pushBodySchema = z.object({ array: z.array(z.unknown()) });

/**
 * One platform record, read tolerantly: every known field through its reader (an issue per field that
 * cannot be read), unknown fields ignored here (the raw record keeps them). One transform over the whole
 * record rather than a schema per field: it runs for every record of every push.
 */
export const recordSchema = z
  .custom<Record<string, unknown>>(isRecord, { message: "record is not a JSON object" })
  .transform((record, ctx): CallReport => {
    const report: Record<string, unknown> = {};
    for (const [name, read] of fieldReaders) {
      const r = read(record[name]);
      if (r.ok) report[name] = r.value;
      else ctx.addIssue({ code: "custom", path: [name], message: r.error });
    }
    return report as CallReport;
  });

/** Reads one record: the report, or a one-line reason naming each field that could not be read. */
export function parseRecord(record: unknown): { ok: true; report: CallReport } | { ok: false; error: string } {
  const result = recordSchema.safeParse(record);
  if (result.success) return { ok: true, report: result.data };
  return {
    ok: false,
    error: result.error.issues
      .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
      .join("; "),
  };
}
