/**
 * Reads a stack's config the way the Pulumi CLI would hand it to the program: from
 * `<stackConfigDir>/Pulumi.<stack>.yaml` named by `Pulumi.yaml`, as `ns:key` → string.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { GatelockError } from "../errors";

export interface StackConfig {
  readonly projectDir: string;
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  /** `ns:key` → value as Pulumi passes it to a program (objects and arrays as JSON). */
  readonly config: Record<string, string>;
  /** Keys whose values are encrypted (`secure:`); their values are not available offline. */
  readonly secretKeys: readonly string[];
}

/** Placeholder for an encrypted config value, which the offline audit cannot decrypt. */
export const ENCRYPTED_PLACEHOLDER = "[encrypted]";

/** Find the Pulumi project at or above `from`. */
export function findProjectDir(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new GatelockError("ERR_STACK_NOT_FOUND", `no Pulumi.yaml found in ${from} or above: run gatelock in a Pulumi project.`);
    dir = up;
  }
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
  const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: string; stackConfigDir?: string };
  const dir = path.join(projectDir, project.stackConfigDir ?? ".");
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!/^[\w.-]+$/.test(stack) || !fs.existsSync(file)) {
    const known = fs.existsSync(dir)
      ? fs.readdirSync(dir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort()
      : [];
    throw new GatelockError("ERR_STACK_NOT_FOUND", `no stack file for stack \`${stack}\` (${path.relative(projectDir, file)}). Stacks here: ${known.join(", ") || "none"}.`);
  }
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const projectName = project.name ?? "project";
  for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
    if (isSecure(value)) {
      config[key] = ENCRYPTED_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { projectDir, project: projectName, stack, file, config, secretKeys };
}

function isSecure(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}
