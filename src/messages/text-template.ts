import type { NormalizedCall } from "../model/calls/fields";
import { missingValue, readableValue } from "./call-facts";
import { fillTemplate, type TemplatePart } from "./template";
import { clip, type Measure } from "./text";
import type { DestinationOptions } from "./types";

/** How a chat platform takes the text of a template: how values are escaped, and how much text fits. */
export interface TextFormat {
  /** Escapes a value, character by character; absent for plain text. */
  escape?: (text: string) => string;
  /** How the platform counts the text against `limit`. */
  measure: Measure;
  /** What `measure` counts, for messages: `characters`, `bytes`. */
  unit: string;
  /** The most the filled text may measure. */
  limit: number;
}

/** The least each field of a template may take in a message. */
const MIN_FIELD_ROOM = 24;

function room(parts: readonly TemplatePart[], format: TextFormat) {
  const literal = format.measure(parts.map((p) => ("text" in p ? p.text : "")).join(""));
  const fields = parts.filter((p) => "field" in p).length;
  return { literal, fields, perField: fields === 0 ? 0 : Math.floor((format.limit - literal) / fields) };
}

/** Why a template cannot fill a message of `format`: its text leaves too little room for its fields. */
export function textTemplateProblem(parts: readonly TemplatePart[], format: TextFormat): string | undefined {
  const { literal, fields } = room(parts, format);
  if (literal + fields * MIN_FIELD_ROOM <= format.limit) return undefined;
  return (
    `is too long for this destination: its text takes ${literal} ${format.unit} and each of its ${fields} fields ` +
    `${MIN_FIELD_ROOM}, of at most ${format.limit}`
  );
}

/**
 * Fills a chat template: each value as {@link readableValue} shows it (a dash when missing), escaped for the format
 * and cut so that the whole text stays within `format.limit`.
 */
export function fillTextTemplate(
  parts: readonly TemplatePart[],
  call: NormalizedCall,
  options: DestinationOptions,
  format: TextFormat,
): string {
  const { perField } = room(parts, format);
  return fillTemplate(parts, call, (field) =>
    clip(readableValue(call, field, options) ?? missingValue, perField, format.escape, format.measure),
  );
}
