const methods = ["get", "post", "put", "patch", "delete"] as const;

interface Media {
  schema?: unknown;
  example?: unknown;
}

interface Parameter {
  name?: string;
  in?: string;
  required?: boolean;
  description?: string;
  schema?: unknown;
}

interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, Media> };
  responses?: Record<string, { description?: string; content?: Record<string, Media> }>;
}

/** What the page reads of an OpenAPI 3.1 document. */
export interface DocsInput {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  security?: unknown[];
  paths?: Record<string, Partial<Record<(typeof methods)[number], unknown>>>;
  components?: { schemas?: Record<string, unknown> };
}

const schemaRef = "#/components/schemas/";

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Escaped text with `code` spans, as the descriptions write them. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");

const anchor = (text: string) => text.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  description?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  example?: unknown;
  discriminator?: { propertyName: string };
}

const refLink = (ref: string) => {
  const name = ref.slice(schemaRef.length);
  return `<a href="#schema-${anchor(name)}">${escapeHtml(name)}</a>`;
};

/** A schema's type in a few words: `string or null`, `array of Call`, `one of "a", "b"`. */
function typeText(schema: Schema | undefined): string {
  if (!schema) return "any";
  if (schema.$ref) return refLink(schema.$ref);
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return union.map(typeText).join(" or ");
  if (schema.allOf) return schema.allOf.map(typeText).join(" and ");
  if (schema.enum)
    return `one of ${schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(", ")}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return (
    types
      .map((t) =>
        t === "array"
          ? `array of ${typeText(schema.items)}`
          : t === "object" && schema.properties
            ? "object (below)"
            : t,
      )
      .join(" or ") || "any"
  );
}

/** Limits and formats worth a reader's eye. */
function constraints(schema: Schema): string {
  const parts = [
    schema.format && `format ${schema.format}`,
    schema.minimum !== undefined && `min ${schema.minimum}`,
    schema.maximum !== undefined && `max ${schema.maximum}`,
    schema.maxLength !== undefined && `at most ${schema.maxLength} characters`,
    schema.pattern && `pattern <code>${escapeHtml(schema.pattern)}</code>`,
    schema.default !== undefined && `default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`,
  ].filter(Boolean);
  return parts.length > 0 ? ` <span class="c">(${parts.join("; ")})</span>` : "";
}

/** An object's fields as a table (nested objects as nested tables); other schemas as their type. */
function schemaHtml(schema: Schema | undefined): string {
  if (!schema) return "";
  if (schema.allOf) return schema.allOf.map(schemaHtml).join("");
  if (!schema.properties) {
    const note = schema.description ? ` — ${prose(schema.description)}` : "";
    return `<p class="type">${typeText(schema)}${note}</p>`;
  }
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(([name, field]) => {
    const nested =
      field.properties || field.items?.properties ? schemaHtml(field.properties ? field : field.items) : "";
    return `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? "" : ' <span class="opt">optional</span>'}</td><td>${typeText(field)}${constraints(field)}</td><td>${prose(field.description ?? "")}${nested}</td></tr>`;
  });
  return `${schema.description ? `<p>${prose(schema.description)}</p>` : ""}<table class="fields"><tr><th>Field</th><th>Type</th><th>Meaning</th></tr>${rows.join("")}</table>`;
}

const exampleBlock = (example: unknown) =>
  example === undefined
    ? ""
    : `<details><summary>Example</summary><pre>${escapeHtml(JSON.stringify(example, null, 2))}</pre></details>`;

function contentBlock(content: Record<string, Media> | undefined): string {
  return Object.entries(content ?? {})
    .map(([type, media]) => {
      const schema = media.schema as Schema | undefined;
      const example = media.example ?? schema?.example;
      return `<p class="media">${escapeHtml(type)}</p>${schemaHtml(schema)}${exampleBlock(example)}`;
    })
    .join("");
}

function parametersBlock(parameters: Parameter[] | undefined): string {
  if (!parameters?.length) return "";
  const rows = parameters.map((p) => {
    const schema = (p.schema ?? {}) as { type?: unknown; description?: unknown; enum?: unknown };
    const type = [schema.type, Array.isArray(schema.enum) ? schema.enum.join(" | ") : undefined]
      .filter((t) => t !== undefined)
      .join(": ");
    const description = p.description ?? (typeof schema.description === "string" ? schema.description : "");
    return `<tr><td><code>${escapeHtml(p.name ?? "")}</code></td><td>${escapeHtml(p.in ?? "")}</td><td>${
      p.required ? "yes" : "no"
    }</td><td>${escapeHtml(String(type))}</td><td>${prose(description)}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Required</th><th>Type</th><th>Description</th></tr>${rows.join("")}</table>`;
}

function operationBlock(method: string, path: string, op: Operation, secured: boolean): string {
  const id = anchor(`${method} ${path}`);
  const body = op.requestBody
    ? `<h4>Request body${op.requestBody.required ? "" : " (optional)"}</h4>${contentBlock(op.requestBody.content)}`
    : "";
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, r]) =>
        `<div class="response"><p><span class="status">${escapeHtml(status)}</span> ${prose(r.description ?? "")}</p>${contentBlock(r.content)}</div>`,
    )
    .join("");
  return `<section class="op" id="${id}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code>${
    secured ? ' <span class="auth">admin token</span>' : ' <span class="auth public">public</span>'
  }</h3>
${op.summary ? `<p class="summary">${prose(op.summary)}</p>` : ""}
${op.description ? `<p>${prose(op.description)}</p>` : ""}
${parametersBlock(op.parameters)}${body}<h4>Responses</h4>${responses}
</section>`;
}

/** The group an operation is listed under: its path's first segment after `/api/v1`. */
const groupOf = (path: string) => path.replace(/^\/api\/v1/, "").split("/")[1] ?? "";

const style = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px}
nav{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 20px;margin-bottom:24px}
nav ul{margin:4px 0 8px;padding-left:20px}
.op,.schema{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:4px 20px 16px;margin:16px 0}
h2{margin-top:40px;text-transform:capitalize}
h3{font-size:17px}
h4{margin:16px 0 4px;font-size:14px;color:#4a5263}
.method{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;font-size:13px;padding:2px 6px}
.get{background:#2f7d4f}.post{background:#2f5d9e}.patch{background:#9a6a12}.put{background:#7a4e9e}.delete{background:#a33a3a}
.auth{font-size:12px;font-weight:normal;border:1px solid #9aa3b2;border-radius:10px;padding:1px 8px;color:#4a5263}
.auth.public{border-color:#2f7d4f;color:#2f7d4f}
.summary{font-weight:600}
pre{background:#f0f2f5;border-radius:6px;padding:10px;overflow:auto;font-size:13px}
.c,.opt{color:#6a7283;font-size:12px}
.fields .fields{margin-top:6px}
details{margin:6px 0}
summary{cursor:pointer;color:#2f5d9e}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;border-bottom:1px solid #e3e6eb;padding:4px 8px;vertical-align:top}
.media{margin:4px 0;color:#4a5263;font-size:13px}
.status{font-weight:600}
code{font-size:13px}
`;

/** A self-contained HTML page (no scripts, no external resources) listing every operation of the document. */
export function renderDocsPage(doc: DocsInput): string {
  const globallySecured = (doc.security?.length ?? 0) > 0;
  const groups = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const secured = op.security ? op.security.length > 0 : globallySecured;
      const group = groupOf(path);
      groups.set(group, [...(groups.get(group) ?? []), operationBlock(method, path, op, secured)]);
      toc.set(group, [
        ...(toc.get(group) ?? []),
        `<li><a href="#${anchor(`${method} ${path}`)}">${method.toUpperCase()} ${escapeHtml(path)}</a>${
          op.summary ? ` — ${prose(op.summary)}` : ""
        }</li>`,
      ]);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(
    ([name, schema]) =>
      `<section class="schema" id="schema-${anchor(name)}"><h3>${escapeHtml(name)}</h3>${schemaHtml(schema as Schema)}${exampleBlock((schema as Schema).example)}</section>`,
  );
  const title = `${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} API</title><style>${style}</style></head>
<body><main>
<h1>${title} API</h1>
${doc.info.description ? `<p>${prose(doc.info.description)}</p>` : ""}
${doc.servers?.length ? `<p>Server: ${doc.servers.map((s) => `<code>${escapeHtml(s.url)}</code>`).join(", ")}</p>` : ""}
<p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<nav>${[...toc].map(([group, items]) => `<strong>${escapeHtml(group || "/")}</strong><ul>${items.join("")}</ul>`).join("")}${
    schemas.length > 0 ? '<strong><a href="#schemas">Schemas</a></strong>' : ""
  }</nav>
${[...groups].map(([group, ops]) => `<h2>${escapeHtml(group || "/")}</h2>${ops.join("\n")}`).join("\n")}
${schemas.length > 0 ? `<h2 id="schemas">Schemas</h2>${schemas.join("\n")}` : ""}
</main></body></html>`;
}
