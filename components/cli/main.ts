#!/usr/bin/env node
/**
 * `gatelock`: a thin shell over the library. Parses arguments, runs, renders, exits.
 *
 *   gatelock audit --stack <name> [--format markdown|json|mermaid] [--cwd <dir>]
 *   gatelock schema
 *
 * Exit codes: 0 ok, 1 refused (error findings, invalid config), 2 usage, 3 internal error.
 */
import { parseArgs } from "node:util";
import { runAudit } from "../audit/report";
import { AUDIT_FORMATS, type AuditFormat, exitCodeOf, render } from "../audit/render";
import { findProjectDir } from "../audit/stack-file";
import { GatelockError } from "../errors";
import { stackJsonSchema } from "../model/json-schema";

/** The CLI's exit codes: CI can tell a refusal (1) from a mistake in the call (2) and a crash (3). */
export const EXIT = {
  /** The audit ran and found no error (warnings allowed). */
  OK: 0,
  /** The audit refused: error findings, invalid config, or a stack file that is not valid YAML. */
  REFUSED: 1,
  /** The call was wrong: unknown command or flag, missing `--stack`, an unknown stack, no Pulumi project. */
  USAGE: 2,
  /** gatelock failed unexpectedly (a bug, `ERR_INTERNAL`): please report it. */
  INTERNAL: 3,
} as const;

const USAGE = `Usage:
  gatelock audit --stack <name> [--format markdown|json|mermaid] [--cwd <dir>]
      Run the stack's program offline under Pulumi's mock engine (no CLI, no cloud
      credentials) and report origins, gateway variables, gateway policies, findings and
      every resource \`pulumi up\` would create. Secrets are masked.
  gatelock schema
      Print the JSON Schema for stacks/Pulumi.<env>.yaml.

Exit codes:
  0  ok: no error finding (warnings allowed)
  1  refused: an error finding, an invalid config, or a stack file or Pulumi.yaml that is
     not valid YAML (reported as file:line:column, never quoting the file)
  2  usage: unknown command or option, missing --stack, unknown --format, a stack with no
     stack file, no Pulumi.yaml in --cwd or above
  3  internal error in gatelock (ERR_INTERNAL): please report it; set GATELOCK_DEBUG=1 to
     print the stack trace (it may quote config values)
`;

interface Writable {
  write(s: string): unknown;
}

export interface CliIo {
  readonly out: Writable;
  readonly err: Writable;
}

/** What the CLI needs from outside: replaceable so tests can make the audit fail. */
export interface CliDeps {
  /** Runs the audit (default: the real one). */
  readonly runAudit?: typeof runAudit;
  /** Environment (default `process.env`): `GATELOCK_DEBUG=1` prints an internal error's stack. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: CliIo = { out: process.stdout, err: process.stderr }, deps: CliDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  try {
    return await run(argv, io, deps.runAudit ?? runAudit);
  } catch (e) {
    io.err.write(internalErrorMessage(e, env));
    return EXIT.INTERNAL;
  }
}

async function run(argv: string[], io: CliIo, audit: typeof runAudit): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "schema") {
    io.out.write(`${JSON.stringify(stackJsonSchema(), null, 2)}\n`);
    return EXIT.OK;
  }
  if (command !== "audit") {
    if (command === "--help" || command === "-h" || command === "help") {
      io.out.write(USAGE);
      return EXIT.OK;
    }
    io.err.write(command ? `gatelock: unknown command ${command}\n\n${USAGE}` : USAGE);
    return EXIT.USAGE;
  }
  let values: { stack?: string; format?: string; cwd?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        stack: { type: "string", short: "s" },
        format: { type: "string", short: "f", default: "markdown" },
        cwd: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    io.err.write(`gatelock: ${(e as Error).message}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (values.help) {
    io.out.write(USAGE);
    return EXIT.OK;
  }
  if (!values.stack) {
    io.err.write(`gatelock: --stack is required\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (!AUDIT_FORMATS.includes(values.format as AuditFormat)) {
    io.err.write(`gatelock: --format must be one of ${AUDIT_FORMATS.join(", ")}\n`);
    return EXIT.USAGE;
  }
  try {
    const projectDir = findProjectDir(values.cwd ?? process.cwd());
    const report = await audit({ projectDir, stack: values.stack });
    io.out.write(render(report, values.format as AuditFormat));
    return exitCodeOf(report);
  } catch (e) {
    if (e instanceof GatelockError) {
      io.err.write(`gatelock: ${e.message} [${e.code}]\n`);
      // No such stack, no project: the call named something that is not there.
      return e.code === "ERR_STACK_NOT_FOUND" ? EXIT.USAGE : EXIT.REFUSED;
    }
    throw e;
  }
}

/**
 * One line for an unexpected failure. Names only the error's class, never its message, which
 * may quote a config value (`Invalid URL: …`); the stack trace only with `GATELOCK_DEBUG=1`.
 */
export function internalErrorMessage(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const kind = (x: unknown) => {
    const name = x instanceof Error ? x.name : typeof x;
    return /^[A-Za-z][\w]{0,63}$/.test(name) ? name : "Error";
  };
  const cause = e instanceof Error && e.cause instanceof Error ? ` (caused by ${kind(e.cause)})` : "";
  const line =
    `gatelock: internal error: ${kind(e)}${cause}. This is a gatelock bug, not a problem with your config: please report it` +
    ` (set GATELOCK_DEBUG=1 for the stack trace; check it for config values before sharing it). [ERR_INTERNAL]\n`;
  if (env.GATELOCK_DEBUG !== "1") return line;
  const stack = (x: unknown) => (x instanceof Error ? (x.stack ?? `${x.name}: ${x.message}`) : String(x));
  return `${line}${stack(e)}\n${e instanceof Error && e.cause !== undefined ? `caused by: ${stack(e.cause)}\n` : ""}`;
}

if (require.main === module) {
  const fatal = (e: unknown) => {
    process.stderr.write(internalErrorMessage(e), () => process.exit(EXIT.INTERNAL));
  };
  // A stray failure after main returned (a timer Pulumi left behind) is a crash too, not a refusal.
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  main(process.argv.slice(2)).then((code) => {
    // Pulumi's runtime may leave timers behind; the report is written, so leave now.
    process.stdout.write("", () => process.exit(code));
  }, fatal);
}
