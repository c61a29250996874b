/** A dotenv target's problem (see `dotenv-target.ts`) as the config issue that names its key and fix. */
import type { ConfigIssue } from "../errors";
import { type DotenvTargetProblem, dotenvTargetProblem, type IgnoreOracle } from "./dotenv-target";
import { invalidIssue as invalid, unsafeIssue as unsafe } from "./issues";

export function dotenvTargetIssues(target: string, oracle: IgnoreOracle, key: string, derived: boolean): ConfigIssue[] {
  const problem: DotenvTargetProblem | undefined = dotenvTargetProblem(target, oracle, derived);
  if (!problem) return [];
  const file = derived ? `\`${target}\` (where this local origin's secrets are written)` : "the dotenv file";
  switch (problem.kind) {
    case "outside-project":
      return [invalid(key, "the dotenv path must be relative to the project and stay inside it.", "use a path such as `.env`.")];
    case "not-ignored":
      return [unsafe(key, `git does not ignore ${file}, so the gateway's secrets would be committed with the next \`git add\`.`, derived ? `add \`${target}\` to .gitignore.` : "add the file to .gitignore, or write to an ignored file such as `.env`.")];
    case "unconventional-name":
      return [unsafe(key, `${file} is not in a git repository here, and its name is not one that dotenv tools keep out of source control (\`.env\`, \`.env.local\`, \`.env.<mode>.local\`).`, derived ? "rename the origin, or run gatelock in a git repository that ignores the file." : "write to `.env` (or `.env.local`).")];
  }
}
