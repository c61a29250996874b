#!/usr/bin/env node
/**
 * `gatelock`: a thin shell over the library. Parses arguments, runs, renders, exits.
 *
 *   gatelock audit --stack <name> [--format markdown|json|mermaid] [--cwd <dir>]
 *   gatelock schema
 */
import { parseArgs } from "node:util";
import { runAudit } from "../audit/report";
import { AUDIT_FORMATS, type AuditFormat, exitCodeOf, render } from "../audit/render";
import { findProjectDir } from "../audit/stack-file";
import { GatelockError } from "../errors";
import { stackJsonSchema } from "../model/json-schema";

const USAGE = `Usage:
  gatelock audit --stack <name> [--format markdown|json|mermaid] [--cwd <dir>]
      Run the stack's program offline under Pulumi's mock engine (no CLI, no cloud
      credentials) and report origins, gateway variables, gateway policies, findings and
      every resource \`pulumi up\` would create. Secrets are masked. Exits 1 on any error finding.
  gatelock schema
      Print the JSON Schema for stacks/Pulumi.<env>.yaml.
`;

export async function main(argv: string[], io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "schema") {
    io.out.write(`${JSON.stringify(stackJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (command !== "audit") {
    io.err.write(command && command !== "--help" && command !== "-h" ? `gatelock: unknown command ${command}\n\n${USAGE}` : USAGE);
    return command === "--help" || command === "-h" ? 0 : 2;
  }
  let values: { stack?: string; format?: string; cwd?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { stack: { type: "string", short: "s" }, format: { type: "string", short: "f", default: "markdown" }, cwd: { type: "string" } },
      strict: true,
    }));
  } catch (e) {
    io.err.write(`gatelock: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!values.stack) {
    io.err.write(`gatelock: --stack is required\n\n${USAGE}`);
    return 2;
  }
  if (!AUDIT_FORMATS.includes(values.format as AuditFormat)) {
    io.err.write(`gatelock: --format must be one of ${AUDIT_FORMATS.join(", ")}\n`);
    return 2;
  }
  try {
    const projectDir = findProjectDir(values.cwd ?? process.cwd());
    const report = await runAudit({ projectDir, stack: values.stack });
    io.out.write(render(report, values.format as AuditFormat));
    return exitCodeOf(report);
  } catch (e) {
    if (e instanceof GatelockError) {
      io.err.write(`gatelock: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // Pulumi's runtime may leave timers behind; the report is written, so leave now.
      process.stdout.write("", () => process.exit(code));
    },
    (e) => {
      process.stderr.write(`gatelock: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
