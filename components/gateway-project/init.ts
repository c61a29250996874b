/**
 * `gatelock init --from <Zuplo project>` as a library call: read the routes (and, for URL
 * variables only, the project's `.env`), and write the starter stack file next to the other
 * stacks. Never overwrites: the file is created with `wx`, so even a race cannot clobber one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseEnv } from "node:util";
import { GatelockError } from "../errors";
import { type DiscoveredOrigin, discoverOrigins, starterStackFile } from "./init-stack";
import { readProject } from "./project-files";
import { readRoutes } from "./routes";

export interface InitOptions {
  /** The Zuplo project's folder. */
  readonly from: string;
  /** The gatelock project's folder (holding Pulumi.yaml); its `stackConfigDir`, default `stacks`. */
  readonly projectDir: string;
  readonly stack: string;
  /** How `from` is written in the file's comments (default: as given). */
  readonly fromLabel?: string;
}

export interface InitResult {
  readonly file: string;
  readonly origins: readonly DiscoveredOrigin[];
}

export function initStackFromProject(options: InitOptions): InitResult {
  if (!/^[\w.-]+$/.test(options.stack)) throw new GatelockError("ERR_CONFIG_INVALID", `--stack: \`${options.stack}\` is not a stack name. Fix: use letters, digits, \`-\`, \`_\` and \`.\`.`);
  const project = readProject(options.from);
  const routes = project.routes.flatMap((f) => readRoutes(f.text, f.path));
  const origins = discoverOrigins(routes, readDotenv(path.join(options.from, ".env")));
  const file = path.join(options.projectDir, stackConfigDir(options.projectDir), `Pulumi.${options.stack}.yaml`);
  const text = starterStackFile({ stack: options.stack, from: options.fromLabel ?? options.from, origins, schema: schemaFrom(path.dirname(file)), ...packageName(options.from) });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, text, { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      throw new GatelockError("ERR_STACK_EXISTS", `${path.relative(options.projectDir, file)} already exists; gatelock never overwrites a stack file. Fix: choose another name with --stack, or edit that file.`);
    }
    throw e;
  }
  return { file, origins };
}

/** `stackConfigDir` from Pulumi.yaml, when there is one; `stacks` otherwise. */
function stackConfigDir(projectDir: string): string {
  try {
    const text = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
    return /^stackConfigDir:\s*["']?([^"'#\s]+)/m.exec(text)?.[1] ?? ".";
  } catch {
    return "stacks";
  }
}

/** The Zuplo project's `.env`, for URL variables only (the caller reads nothing else from it). */
function readDotenv(file: string): Record<string, string | undefined> {
  try {
    return parseEnv(fs.readFileSync(file, "utf8")) as Record<string, string | undefined>;
  } catch {
    return {};
  }
}

/** The Zuplo project's name, as its package.json has it (Zuplo's project template sets it). */
function packageName(dir: string): { project?: string } {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown }).name;
    return typeof name === "string" ? { project: name } : {};
  } catch {
    return {};
  }
}

/**
 * This gatelock's stack-file schema, relative to the stack file's folder (for the editor's YAML
 * language server): in a user's project, under node_modules/gatelock; in gatelock's own repo,
 * `../schema`. Undefined when the file is not there (a build without it).
 */
function schemaFrom(stackDir: string): string | undefined {
  const schema = path.resolve(__dirname, "..", "..", "schema", "gatelock-stack.schema.json");
  if (!fs.existsSync(schema)) return undefined;
  return path.relative(stackDir, schema).split(path.sep).join("/");
}
