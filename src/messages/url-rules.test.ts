import { describe, expect, it } from "vitest";
import { destinationUrlSchema, isLoopbackHost, maskUrl } from "./url-rules";

const strict = destinationUrlSchema({ allowHttp: false });
const dev = destinationUrlSchema({ allowHttp: true });

function problem(schema: typeof strict, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues.map((i) => i.message).join("; ");
}

describe("destinationUrlSchema", () => {
  it("accepts https and normalizes", () => {
    expect(strict.parse(" https://Example.COM/hook?a=1 ")).toBe("https://example.com/hook?a=1");
    expect(strict.parse("https://example.com:8443")).toBe("https://example.com:8443/");
  });

  it("refuses what is not an absolute URL", () => {
    expect(problem(strict, "example.com/hook")).toBe("must be an absolute URL, e.g. https://example.com/hook");
    expect(problem(strict, "")).toBe("must be an absolute URL, e.g. https://example.com/hook");
    expect(problem(strict, 42)).toBe("must be a URL string");
  });

  it("refuses other schemes", () => {
    for (const url of ["ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "ws://localhost/x"]) {
      expect(problem(dev, url)).toBe("must use https");
    }
  });

  it("refuses plain http unless allowed and to a loopback host", () => {
    expect(problem(strict, "http://example.com/hook")).toBe("must use https (plain http is off in this deployment)");
    expect(problem(strict, "http://localhost:8787/hook")).toBe("must use https (plain http is off in this deployment)");
    expect(problem(dev, "http://example.com/hook")).toBe(
      "must use https (plain http is allowed only to localhost, 127.0.0.1 or [::1])",
    );
    expect(problem(dev, "http://localhost.example.com/")).toMatch(/only to localhost/);
    expect(problem(dev, "http://127.0.0.2/")).toMatch(/only to localhost/);
    expect(dev.parse("http://localhost:8787/hook")).toBe("http://localhost:8787/hook");
    expect(dev.parse("http://127.0.0.1/hook")).toBe("http://127.0.0.1/hook");
    expect(dev.parse("http://[::1]:9000/hook")).toBe("http://[::1]:9000/hook");
  });

  it("refuses credentials", () => {
    expect(problem(strict, "https://user:pass@example.com/")).toBe("must not contain credentials (user:password@)");
    expect(problem(strict, "https://user@example.com/")).toBe("must not contain credentials (user:password@)");
  });

  it("refuses very long URLs", () => {
    expect(problem(strict, `https://example.com/${"a".repeat(2100)}`)).toBe("must be at most 2048 characters");
  });

  it("applies a type's own rule after the common ones", () => {
    const onlyExample = destinationUrlSchema({ allowHttp: false }, (url) =>
      url.hostname === "example.com" ? undefined : "must point at example.com",
    );
    expect(onlyExample.parse("https://example.com/")).toBe("https://example.com/");
    expect(problem(onlyExample, "https://other.test/")).toBe("must point at example.com");
    expect(problem(onlyExample, "http://other.test/")).toBe("must use https (plain http is off in this deployment)");
  });
});

describe("isLoopbackHost", () => {
  it("knows the three loopback names", () => {
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("example.com")).toBe(false);
  });
});

describe("maskUrl", () => {
  it("keeps scheme and host only", () => {
    expect(maskUrl("https://hooks.slack.com/services/T000/B000/XXXX")).toBe("https://hooks.slack.com/…");
    expect(maskUrl("https://example.com:8443/hook?token=abc#x")).toBe("https://example.com:8443/…");
    expect(maskUrl("https://example.com")).toBe("https://example.com/…");
  });

  it("never shows credentials or unparseable input", () => {
    expect(maskUrl("https://user:pass@example.com/x")).toBe("https://example.com/…");
    expect(maskUrl("not a url with secret")).toBe("…");
  });
});
