import { z } from "zod";
import { type CallReport, type FieldKind, upstreamFields } from "./fields";
import { type Read, readInt, readString, readTime, readVoiceId } from "./values";

const readers: Record<FieldKind, (v: unknown) => Read<unknown>> = { string: readString, int: readInt, time: readTime };

function field<T>(read: (v: unknown) => Read<T>) {
  return z
    .unknown()
    .optional()
    .transform((v, ctx): T => {
      const r = read(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: "custom", message: r.error });
      return z.NEVER;
    });
}

/** Body of a push: `{"array": [...]}`; records are checked one by one with {@link recordSchema}. */
export const pushBodySchema = z.object({ array: z.array(z.unknown()) });

/** One platform record, read tolerantly: unknown fields ignored here (the raw record keeps them). */
export const recordSchema = z.object({
  voiceId: field(readVoiceId),
  ...(Object.fromEntries(
    Object.entries(upstreamFields).map(([name, kind]) => [name, field(readers[kind])]),
  ) as unknown as {
    [F in keyof typeof upstreamFields]: z.ZodType<CallReport[F], unknown>;
  }),
});

/** Reads one record: the report, or a one-line reason naming each field that could not be read. */
export function parseRecord(record: unknown): { ok: true; report: CallReport } | { ok: false; error: string } {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return { ok: false, error: "record is not a JSON object" };
  }
  const result = recordSchema.safeParse(record);
  if (result.success) return { ok: true, report: result.data as CallReport };
  return { ok: false, error: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
}
