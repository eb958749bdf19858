import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeProblem } from "../../cli/node-check.mjs";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

describe("the Node version check", () => {
  it("accepts 22.12 and newer, names the version found and how to get a newer one otherwise", () => {
    for (const ok of ["22.12.0", "22.20.1", "23.0.0", "24.11.1", "30.1.0"]) expect(nodeProblem(ok)).toBeUndefined();
    for (const old of ["20.20.2", "22.11.0", "22.0.0", "18.19.1"]) {
      const message = nodeProblem(old);
      expect(message).toContain(`callrelay needs Node 22.12 or newer; this is Node ${old}`);
      expect(message).toContain("nvm install");
      expect(message).toContain("npm install --prefix ~/.cache/callrelay-node node@24");
    }
    expect(pkg.engines.node).toBe(">=22.12");
  });

  it("exits 1 with its message, before anything else, when this Node is too old", () => {
    const script = `import("./cli/node-check.mjs").then((m) => { m.requireNode("20.20.2"); console.log("went on"); })`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("this is Node 20.20.2");
  });

  it("runs first in every entry point a person starts", () => {
    for (const name of ["sink", "demo", ...Object.keys(pkg.scripts).filter((n) => n.startsWith("bench:"))]) {
      expect(pkg.scripts[name], name).toMatch(/^node cli\/node-check\.mjs && /);
    }
    expect(pkg.scripts.dev).toBe("node scripts/dev.mjs");
    expect(pkg.scripts.deploy).toBe("node scripts/deploy.mjs");
    for (const file of ["scripts/dev.mjs", "scripts/deploy.mjs", "cli/callrelay.mjs"]) {
      const text = readFileSync(file, "utf8");
      const firstImport = text.indexOf("await import(");
      expect(text.indexOf("requireNode();"), file).toBeGreaterThan(0);
      expect(text.indexOf("requireNode();"), file).toBeLessThan(firstImport);
      expect(text.match(/^import .* from "\.\.?\/(?!.*node-check)/m), file).toBeNull();
    }
  });
});
