/**
 * Asks git whether a path is ignored, for the dotenv targets the model judges. Run once per
 * dotenv target per model build, before any resource exists.
 */
import { gitCheckIgnore } from "../files/private-files";
import type { IgnoreOracle } from "../model/dotenv-target";

/**
 * `git check-ignore` in `projectDir`, the same question the providers ask before writing a
 * secret: "no-repo" (no repository, no git) makes the model fall back to its name allowlist.
 */
export function gitIgnoreOracle(projectDir: string): IgnoreOracle {
  return (relativePath) => gitCheckIgnore(projectDir, relativePath);
}
