/**
 * Asks git whether a path is ignored, for the dotenv targets the model judges. Run once per
 * dotenv target per model build, before any resource exists.
 */
import { spawnSync } from "node:child_process";
import type { IgnoreOracle } from "../model/dotenv-target";

/**
 * `git check-ignore` in `projectDir`: exit 0 means ignored; 1 means git would commit the file
 * (a file git already tracks counts as not ignored, whatever `.gitignore` says); anything else
 * (no repository, no git) is "no-repo", and the model falls back to its name allowlist.
 */
export function gitIgnoreOracle(projectDir: string): IgnoreOracle {
  return (relativePath) => {
    const r = spawnSync("git", ["check-ignore", "-q", "--", relativePath], { cwd: projectDir, stdio: "ignore", timeout: 10_000 });
    if (r.status === 0) return "ignored";
    if (r.status === 1) return "not-ignored";
    return "no-repo";
  };
}
