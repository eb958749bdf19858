import { closestName } from "../lib/closest-name";
import type { NormalizedCall } from "../model/calls/fields";
import { normalizedFieldTypes } from "../model/calls/fields";

/** A parsed template: literal text and `{{field}}` slots, in order. */
export type TemplatePart = { text: string } | { field: keyof NormalizedCall; inString: boolean };

/** A problem with a template, at a character offset. */
export interface TemplateIssue {
  offset: number;
  message: string;
}

const TAG = /\{\{\s*([^{}]*?)\s*\}\}/g;
const MAX_TEMPLATE_CHARS = 8_000;

/**
 * Parses a Mustache-style template (`{{intent}}`, `{{ callee }}`): every tag must name a field of the call
 * record. `inString` tells, for JSON templates, whether a slot sits inside a JSON string literal.
 */
export function parseTemplate(
  source: string,
): { ok: true; parts: TemplatePart[] } | { ok: false; issues: TemplateIssue[] } {
  if (source.length > MAX_TEMPLATE_CHARS) {
    return { ok: false, issues: [{ offset: 0, message: `template is longer than ${MAX_TEMPLATE_CHARS} characters` }] };
  }
  const parts: TemplatePart[] = [];
  const issues: TemplateIssue[] = [];
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const text = source.slice(last, match.index);
    if (text) parts.push({ text });
    const name = match[1] ?? "";
    if (Object.hasOwn(normalizedFieldTypes, name)) {
      parts.push({ field: name as keyof NormalizedCall, inString: insideJsonString(source, match.index) });
    } else {
      const hint = closestName(name, Object.keys(normalizedFieldTypes));
      issues.push({
        offset: match.index,
        message: `unknown field "${name}"${hint ? `; did you mean "${hint}"?` : ""}`,
      });
    }
    last = match.index + match[0].length;
  }
  const rest = source.slice(last);
  const stray = rest.indexOf("{{");
  if (stray >= 0) issues.push({ offset: last + stray, message: "unclosed {{" });
  if (rest) parts.push({ text: rest });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, parts };
}

/** A destination's stored template (checked when saved) as parts; `undefined` for none. Throws if it no longer parses. */
export function storedTemplate(source: string | null): TemplatePart[] | undefined {
  if (source === null) return undefined;
  const parsed = parseTemplate(source);
  if (!parsed.ok) throw new Error(`stored template does not parse: ${parsed.issues.map((i) => i.message).join("; ")}`);
  return parsed.parts;
}

function insideJsonString(source: string, end: number): boolean {
  let inside = false;
  for (let i = 0; i < end; i++) {
    const ch = source[i];
    if (ch === "\\" && inside) i++;
    else if (ch === '"') inside = !inside;
  }
  return inside;
}

/** Fills a parsed template: each value goes through `write` (formatting and escaping for the target). */
export function fillTemplate(
  parts: readonly TemplatePart[],
  call: NormalizedCall,
  write: (field: keyof NormalizedCall, value: NormalizedCall[keyof NormalizedCall], inString: boolean) => string,
): string {
  return parts.map((p) => ("text" in p ? p.text : write(p.field, call[p.field], p.inString))).join("");
}

/** Values for a JSON template: a JSON value outside string literals, escaped string content inside them. */
export function writeJson(_field: keyof NormalizedCall, value: unknown, inString: boolean): string {
  if (!inString) return JSON.stringify(value ?? null);
  return JSON.stringify(value === null || value === undefined ? "" : String(value)).slice(1, -1);
}
