import { z } from "zod";

/** How a setting is edited: the control that fits its type. */
export type Control = "checkbox" | "select" | "number" | "text" | "secret" | "json";

/** One setting of a form, read from its zod schema. */
export interface FieldSpec {
  name: string;
  control: Control;
  optional: boolean;
  choices?: string[];
  min?: number;
  max?: number;
  step?: string;
  pattern?: string;
}

type JsonProperty = {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  default?: unknown;
};

/**
 * The fields of an object schema with the control each needs: booleans as checkboxes, enumerations as selects,
 * numbers as number inputs (with their bounds), objects as JSON, `secret` ones as password inputs.
 */
export function fieldSpecs(schema: z.ZodType, secret: readonly string[] = []): FieldSpec[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonProperty>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, p]) => {
    const types = Array.isArray(p.type) ? p.type : [p.type];
    const optional = !required.has(name) || p.default !== undefined;
    const spec: FieldSpec = { name, control: "text", optional };
    if (secret.includes(name)) spec.control = types.includes("object") ? "json" : "secret";
    else if (p.enum) Object.assign(spec, { control: "select", choices: p.enum.map(String) });
    else if (types.includes("boolean")) spec.control = "checkbox";
    else if (types.includes("object")) spec.control = "json";
    else if (types.length === 1 && (types[0] === "integer" || types[0] === "number")) {
      spec.control = "number";
      spec.step = types[0] === "integer" ? "1" : "any";
      spec.min = p.minimum ?? p.exclusiveMinimum;
      spec.max = p.maximum ?? p.exclusiveMaximum;
    } else if (p.pattern) spec.pattern = p.pattern;
    return spec;
  });
}

/** A posted setting is absent (blank, or a secret left blank to keep it), cleared, or a value. */
export type Posted =
  | { kind: "keep" }
  | { kind: "clear" }
  | { kind: "set"; value: unknown }
  | { kind: "bad"; message: string };

/**
 * What a form posted for one setting. A checkbox is always a value (unticked: false); a blank secret keeps the
 * stored one unless its "clear" box is ticked; any other blank field clears the setting.
 */
export function readPosted(spec: FieldSpec, form: Record<string, unknown>, prefix: string): Posted {
  const raw = form[`${prefix}${spec.name}`];
  const text = typeof raw === "string" ? raw.trim() : "";
  if (spec.control === "checkbox") return { kind: "set", value: text === "on" || text === "true" };
  if (spec.control === "secret" || (spec.control === "json" && form[`${prefix}${spec.name}.clear`] !== undefined)) {
    if (form[`${prefix}${spec.name}.clear`] !== undefined) return { kind: "clear" };
    if (text === "") return { kind: "keep" };
  }
  if (text === "") return spec.control === "json" ? { kind: "keep" } : { kind: "clear" };
  if (spec.control === "number") {
    const n = Number(text);
    return Number.isFinite(n) ? { kind: "set", value: n } : { kind: "bad", message: "must be a number" };
  }
  if (spec.control === "json") {
    try {
      return { kind: "set", value: JSON.parse(text) };
    } catch {
      return { kind: "bad", message: "expected JSON" };
    }
  }
  return { kind: "set", value: text };
}

/**
 * A form's settings as a patch: set values, cleared ones as `undefined` (so a merge with the stored settings drops
 * them), kept ones left out; plus the issues of values that could not be read.
 */
export function postedSettings(specs: readonly FieldSpec[], form: Record<string, unknown>, prefix: string) {
  const values: Record<string, unknown> = {};
  const issues: { path: string; message: string }[] = [];
  for (const spec of specs) {
    const posted = readPosted(spec, form, prefix);
    if (posted.kind === "set") values[spec.name] = posted.value;
    else if (posted.kind === "clear") values[spec.name] = undefined;
    else if (posted.kind === "bad") issues.push({ path: `${prefix}${spec.name}`, message: posted.message });
  }
  return { values, issues };
}

/** A JSON text field (blank: absent); an unreadable one adds an issue at `path`. */
export function parseJsonField(text: unknown, path: string, issues: { path: string; message: string }[]): unknown {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    issues.push({ path, message: "expected JSON" });
    return undefined;
  }
}
