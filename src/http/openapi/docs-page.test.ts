import { describe, expect, it } from "vitest";
import { renderDocsPage } from "./docs-page";

const doc = {
  info: { title: "callrelay", version: "1.2.3", description: "Use `Bearer` <b>tokens</b>" },
  servers: [{ url: "https://relay.example" }],
  security: [{ adminToken: [] }],
  paths: {
    "/api/v1/things/{id}": {
      get: {
        summary: "Get a <script>alert(1)</script> thing",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", description: "Its `id`" } }],
        responses: {
          "200": {
            description: "The thing",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
        },
      },
    },
    "/health": { get: { summary: "Health", security: [], responses: { "200": { description: "ok" } } } },
  },
  components: {
    schemas: {
      Thing: {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string", description: "What people call it", maxLength: 100 },
          kind: { type: ["string", "null"], enum: ["big", "small", null], description: "Its size" },
        },
        example: { name: "</pre>" },
      },
    },
  },
};

describe("renderDocsPage", () => {
  const html = renderDocsPage(doc);

  it("lists each operation with its method, path, parameters and schemas", () => {
    expect(html).toContain('<span class="method get">GET</span> <code>/api/v1/things/{id}</code>');
    expect(html).toContain(
      "<td><code>id</code></td><td>path</td><td>yes</td><td>string</td><td>Its <code>id</code></td>",
    );
    expect(html).toContain('<p class="type"><a href="#schema-Thing">Thing</a></p>');
    expect(html).toContain('<section class="schema" id="schema-Thing">');
    expect(html).toContain("<h2>things</h2>");
    expect(html).toContain("<h2>health</h2>");
  });

  it("shows a schema's fields as a table: type, limits, whether optional, meaning; and its example", () => {
    expect(html).toContain(
      '<tr><td><code>name</code></td><td>string <span class="c">(at most 100 characters)</span></td><td>What people call it</td></tr>',
    );
    expect(html).toContain(
      '<tr><td><code>kind</code> <span class="opt">optional</span></td><td>one of <code>&quot;big&quot;</code>, <code>&quot;small&quot;</code>, <code>null</code></td><td>Its size</td></tr>',
    );
    expect(html).toContain(
      "<details><summary>Example</summary><pre>{\n  &quot;name&quot;: &quot;&lt;/pre&gt;&quot;\n}</pre></details>",
    );
  });

  it("marks which operations need the admin token", () => {
    const [things, health] = html.split('<section class="op"').slice(1);
    expect(things).toContain("admin token");
    expect(health).toContain('class="auth public"');
  });

  it("escapes every text it shows", () => {
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>");
    expect(html).toContain("Get a &lt;script&gt;alert(1)&lt;/script&gt; thing");
    expect(html).toContain("Use <code>Bearer</code> &lt;b&gt;tokens&lt;/b&gt;");
  });
});
