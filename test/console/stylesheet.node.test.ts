import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const css = readFileSync(join(import.meta.dirname, "../../public/console/console.css"), "utf8").replace(
  /\/\*[\s\S]*?\*\//g,
  "",
);

/** Every `property: value` declaration outside the token blocks (`:root`, light and dark). */
function declarations(): { selector: string; property: string; value: string }[] {
  const found: { selector: string; property: string; value: string }[] = [];
  for (const [, selector = "", body = ""] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    if (selector.trim() === ":root") continue;
    for (const line of body.split(";")) {
      const at = line.indexOf(":");
      if (at < 0) continue;
      found.push({ selector: selector.trim(), property: line.slice(0, at).trim(), value: line.slice(at + 1).trim() });
    }
  }
  return found;
}

describe("the console's stylesheet is one visual system", () => {
  it("defines spacing, type, shape and colour tokens, and swaps only colours for dark mode", () => {
    const root = [...css.matchAll(/:root\s*\{([^}]*)\}/g)].map((m) => m[1] ?? "");
    expect(root).toHaveLength(2);
    const names = (block: string) => [...block.matchAll(/(--[\w-]+):/g)].map((m) => m[1]);
    const light = names(root[0] ?? "");
    for (const token of ["--space-1", "--space-4", "--text-sm", "--font-sans", "--radius", "--fg", "--bg", "--ok"]) {
      expect(light).toContain(token);
    }
    expect(css).toMatch(/@media \(prefers-color-scheme: dark\)\s*\{\s*:root/);
    const dark = names(root[1] ?? "");
    expect(dark.length).toBeGreaterThan(8);
    for (const token of dark) {
      expect(light, `${token} is only set for dark mode`).toContain(token);
      expect(token, "dark mode changes a colour only").toMatch(
        /^--(fg|bg|surface|muted|line|accent|on-accent|ok|warn|bad|neutral)/,
      );
    }
  });

  it("takes every colour, spacing, font size and radius from a token", () => {
    const tokenized =
      /^(padding(-\w+)?|margin(-\w+)?|gap|font-size|font-family|border-radius|color|background(-color)?|fill|stroke|outline(-offset)?)$/;
    const plain = /^(0|none|inherit|currentColor|transparent|auto|solid|dashed)$/;
    const loose = declarations().filter(
      (d) =>
        tokenized.test(d.property) &&
        !d.value.split(/\s+/).every((part) => part.startsWith("var(") || plain.test(part)),
    );
    expect(loose).toEqual([]);
    expect(
      declarations().filter((d) => /#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i.test(d.value)),
      "colour literals outside the tokens",
    ).toEqual([]);
  });
});
