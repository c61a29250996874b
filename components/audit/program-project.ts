/**
 * The Pulumi project `gatelock audit --program <dir>` runs: its stack config (read by the
 * stack-file reader, so both audits refuse the same files with the same codes) and, from
 * `Pulumi.yaml`, its runtime and `main`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { GatelockError } from "../errors";
import { readStackConfig, type StackConfig } from "./stack-file";

export interface ProgramProject {
  /** The program's directory, real path (what `process.cwd()` reads while it runs). */
  readonly dir: string;
  readonly stackConfig: StackConfig;
  /** What the program is started from: `main` of Pulumi.yaml, else the directory itself. */
  readonly main: string;
}

export function readProgramProject(programDir: string, stack: string): ProgramProject {
  // Missing or broken files give the same errors (and exit codes) as `audit --stack`.
  const stackConfig = readStackConfig(path.resolve(programDir), stack);
  const dir = fs.realpathSync(path.resolve(programDir));
  // readStackConfig has already refused a Pulumi.yaml that is not safe, well-formed YAML.
  const project = (parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) ?? {}) as { runtime?: unknown; main?: unknown };
  const runtime = typeof project.runtime === "object" && project.runtime !== null ? (project.runtime as { name?: unknown }).name : project.runtime;
  if (runtime !== "nodejs") {
    throw new GatelockError(
      "ERR_STACK_NOT_FOUND",
      `Pulumi.yaml: runtime \`${typeof runtime === "string" ? runtime : "(none)"}\`: \`gatelock audit --program\` runs Node.js programs only (\`runtime: nodejs\`, TypeScript or JavaScript).`,
    );
  }
  const main = typeof project.main === "string" && project.main !== "" ? project.main : ".";
  return { dir, stackConfig, main: path.resolve(dir, main) };
}
