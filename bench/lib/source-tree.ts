import { execFileSync } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "./wrangler.ts";

/** The callrelay sources a bench runs: the working tree, or a commit extracted to a temp directory. */
export interface SourceTree {
  root: string;
  /** What was benchmarked, for the report: `working tree at 8fb81db (+ uncommitted changes)`, `HEAD (8fb81db)`. */
  label: string;
}

const git = (args: readonly string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

/**
 * With `ref`, extracts that commit with `git archive` into `workDir` (sharing the project's node_modules), so
 * a bench can run a committed version while the working tree is mid-edit. Without it, the working tree.
 */
export async function sourceTree(ref: string | undefined, workDir: string): Promise<SourceTree> {
  if (ref === undefined) {
    try {
      const head = git(["rev-parse", "--short=12", "HEAD"]);
      const dirty = git(["status", "--porcelain", "--", "src", "migrations", "wrangler.toml"]) !== "";
      return { root: ROOT, label: `working tree at ${head}${dirty ? " + uncommitted changes under src/" : ""}` };
    } catch {
      return { root: ROOT, label: "working tree" };
    }
  }
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const root = join(workDir, "source");
  const archive = join(workDir, "source.tar");
  await mkdir(root, { recursive: true });
  git(["archive", "--format=tar", "-o", archive, commit]);
  execFileSync("tar", ["-xf", archive, "-C", root]);
  await symlink(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return { root, label: `${ref} (${commit.slice(0, 12)})` };
}
