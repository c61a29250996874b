#!/usr/bin/env node
/**
 * `gatelock`: a thin shell over the library. Parses arguments, runs, renders, exits.
 *
 *   gatelock audit --stack <name> [--format markdown|json|mermaid] [--cwd <dir>]
 *   gatelock gateway sync --stack <name> --project <zuplo project> [--check] [--dry-run]
 *   gatelock init --from <zuplo project> [--stack <name>]
 *   gatelock schema
 *
 * Exit codes: 0 ok, 1 refused (error findings, invalid config), 2 usage, 3 internal error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { filterReport } from "../audit/filter";
import { policyModules } from "../gateway/policy-modules";
import { renderTerminal } from "../audit/terminal";
import { closest } from "../model/suggest";
import { runAudit } from "../audit/report";
import type { runProgramAudit } from "../audit/program-audit";
import { AUDIT_FORMATS, type AuditFormat, exitCodeOf, FAIL_ON, type FailOn, render } from "../audit/render";
import type { AuditReport } from "../audit/report";
import { findProjectDir } from "../audit/stack-file";
import { GatelockError } from "../errors";
import type { SyncMode } from "../gateway-project/sync";

// What only some commands need is loaded by them (`await import`): `gatelock audit --stack`, the
// common case, does not pay for the program audit, `gateway sync`, `init` or the schema.

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

const AUDIT_USAGE = `  gatelock audit --stack <name> [--format markdown|json|mermaid] [--origin <name>]...
                 [--baseline <audit.json>] [--fail-on errors|warnings|trust-changes]
                 [--output <file>] [--write-modules <zuplo project>] [--program <dir>] [--cwd <dir>]
      Run the stack's program offline under Pulumi's mock engine (no CLI, no cloud
      credentials) and report origins, gateway variables, gateway policies, findings and
      every resource \`pulumi up\` would create. Secrets are masked.
      --origin    only these origins (repeatable); the verdict stays the whole stack's
      --baseline  compare with an earlier \`--format json\` report: added, changed and removed
                  origins, grants, trust conditions, variables and resources, in words
      --fail-on   what exits 1: errors (default), warnings (errors too), or trust-changes
                  (errors, and any change in who can reach an origin; needs --baseline)
      --program   audit your own Pulumi program in <dir> (its Pulumi.yaml and
                  Pulumi.<stack>.yaml) instead of gatelock's stack-file program: the gatelock
                  components in it and every other resource it registers
      --output    write the report to this file instead of standard output
      --write-modules  write the custom policy modules the gateway configuration imports
                  (modules/gatelock-*.ts) into this Zuplo project; other files are untouched
      On a terminal, without --format or --output: a short summary, in colour unless NO_COLOR
      is set. Progress goes to standard error when an audit takes more than a second.
`;
const SYNC_USAGE = `  gatelock gateway sync --stack <name> --project <zuplo project> [--check | --dry-run] [--cwd <dir>]
      Bring a Zuplo project in step with the stack: gatelock's policies in
      config/policies.json (only entries named gatelock-…), each origin's policy names at the
      end of the inbound policies of every route that forwards to it (config/*.oas.json), the
      handler options mTLS, tunnel and AWS federated origins need, and the modules they import.
      Formatting is kept, each file is replaced atomically, and a second run changes nothing.
      --check    change nothing; print the diff; exit 1 if the project is out of date or a
                 route forwards to a locked origin without its policies (for the gateway's CI)
      --dry-run  change nothing; print the diff; exit 0
`;
const INIT_USAGE = `  gatelock init --from <zuplo project> [--stack <name>] [--cwd <dir>]
      Write a starter stack file (stacks/Pulumi.<name>.yaml, default name dev) from the Zuplo
      project's routes: the origins their handlers forward to, the variables they use, and
      commented suggestions of methods by where each URL points. Never overwrites a file.
`;
const SCHEMA_USAGE = `  gatelock schema
      Print the JSON Schema for stacks/Pulumi.<env>.yaml.
`;
const USAGE = `Usage:
${AUDIT_USAGE}${SYNC_USAGE}${INIT_USAGE}${SCHEMA_USAGE}  gatelock --version
      Print gatelock's version.

Exit codes:
  0  ok: no error finding (warnings allowed)
  1  refused: an error finding, a gateway project out of date (gateway sync --check), a stack
     file init would overwrite, (or what --fail-on names: any warning, any trust change), an
     invalid config, or a stack file or Pulumi.yaml that is not valid YAML (reported as
     file:line:column, never quoting the file)
  2  usage: unknown command or option, missing --stack, --project or --from, a --project or
     --from that is not a Zuplo project, unknown --format or --fail-on, a
     stack with no stack file, no Pulumi.yaml in --cwd or above, a --baseline that is not
     an audit report
  3  internal error in gatelock (ERR_INTERNAL): please report it; set GATELOCK_DEBUG=1 to
     print the stack trace (it may quote config values)
`;

interface Writable {
  write(s: string): unknown;
  /** True on a terminal. */
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly out: Writable;
  readonly err: Writable;
}

/** What the CLI needs from outside: replaceable so tests can make the audit fail. */
export interface CliDeps {
  /** Runs the audit (default: the real one). */
  readonly runAudit?: typeof runAudit;
  /** Runs `--program` audits (default: the real one). */
  readonly runProgramAudit?: typeof runProgramAudit;
  /** Environment (default `process.env`): `GATELOCK_DEBUG=1` prints an internal error's stack. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: CliIo = { out: process.stdout, err: process.stderr }, deps: CliDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  try {
    return await run(argv, io, { audit: deps.runAudit ?? runAudit, auditProgram: deps.runProgramAudit ?? (async (options) => (await import("../audit/program-audit")).runProgramAudit(options)) }, env);
  } catch (e) {
    io.err.write(internalErrorMessage(e, env));
    return EXIT.INTERNAL;
  }
}

const COMMANDS = ["audit", "gateway", "init", "schema", "help"];
const AUDIT_OPTIONS = {
  stack: { type: "string", short: "s" },
  format: { type: "string", short: "f" },
  origin: { type: "string", short: "o", multiple: true },
  output: { type: "string" },
  "write-modules": { type: "string" },
  baseline: { type: "string" },
  "fail-on": { type: "string" },
  program: { type: "string" },
  cwd: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

interface Audits {
  readonly audit: typeof runAudit;
  readonly auditProgram: typeof runProgramAudit;
}

async function run(argv: string[], io: CliIo, { audit, auditProgram }: Audits, env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-v" || command === "version") {
    io.out.write(`gatelock ${version()}\n`);
    return EXIT.OK;
  }
  if (command === "schema") {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out.write(`Usage:\n${SCHEMA_USAGE}`);
      return EXIT.OK;
    }
    if (rest.length > 0) return usageError(io, `schema takes no arguments`, `Usage:\n${SCHEMA_USAGE}`);
    io.out.write(`${JSON.stringify((await import("../model/json-schema")).stackJsonSchema(), null, 2)}\n`);
    return EXIT.OK;
  }
  if (command === "gateway") return gatewayCommand(rest, io);
  if (command === "init") return initCommand(rest, io);
  if (command !== "audit") {
    if (command === "--help" || command === "-h" || command === "help") {
      io.out.write(USAGE);
      return EXIT.OK;
    }
    if (!command) return usageError(io, "a command is required", USAGE);
    const suggestion = closest(command, COMMANDS);
    return usageError(io, `unknown command ${JSON.stringify(command)}${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`, USAGE);
  }
  let values: {
    stack?: string;
    format?: string;
    origin?: string[];
    output?: string;
    "write-modules"?: string;
    baseline?: string;
    "fail-on"?: string;
    program?: string;
    cwd?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({ args: rest, options: AUDIT_OPTIONS, strict: true }));
  } catch (e) {
    return usageError(io, flagError(e), `Usage:\n${AUDIT_USAGE}`);
  }
  if (values.help) {
    io.out.write(USAGE);
    return EXIT.OK;
  }
  if (!values.stack) return usageError(io, "--stack is required", `Usage:\n${AUDIT_USAGE}`);
  const failOn = values["fail-on"] ?? "errors";
  if (!FAIL_ON.includes(failOn as FailOn)) {
    const suggestion = closest(failOn, FAIL_ON);
    return usageError(io, `--fail-on must be one of ${FAIL_ON.join(", ")}${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`);
  }
  if (failOn === "trust-changes" && values.baseline === undefined) return usageError(io, "--fail-on trust-changes needs --baseline <audit.json>: trust changes are changes since a baseline");
  let baseline: AuditReport | undefined;
  if (values.baseline !== undefined) {
    try {
      baseline = (await import("../audit/diff")).parseBaseline(fs.readFileSync(path.resolve(values.cwd ?? process.cwd(), values.baseline), "utf8"), values.baseline);
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      return usageError(io, missing ? `--baseline ${values.baseline}: no such file` : (e as Error).message);
    }
  }
  if (values.format !== undefined && !AUDIT_FORMATS.includes(values.format as AuditFormat)) {
    const suggestion = closest(values.format, AUDIT_FORMATS);
    return usageError(io, `--format must be one of ${AUDIT_FORMATS.join(", ")}${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`);
  }
  const stop = progress(io, values.stack);
  try {
    let report =
      values.program !== undefined
        ? await auditProgram({ programDir: path.resolve(values.cwd ?? process.cwd(), values.program), stack: values.stack })
        : await audit({ projectDir: findProjectDir(values.cwd ?? process.cwd()), stack: values.stack });
    stop();
    if (baseline) report = { ...report, diff: (await import("../audit/diff")).diffReports(baseline, report) };
    if (values.origin?.length) {
      const unknown = values.origin.filter((o) => !report.origins.some((x) => x.name === o));
      if (unknown.length > 0 && report.gateway !== null) {
        const suggestion = closest(unknown[0]!, report.origins.map((o) => o.name));
        return usageError(io, `--origin ${JSON.stringify(unknown[0])} is not an origin of stack ${values.stack}${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`);
      }
      report = filterReport(report, values.origin);
    }
    // A person at a terminal gets a summary; a file, a pipe or an explicit --format gets the report.
    const summary = values.format === undefined && values.output === undefined && io.out.isTTY === true;
    const text = summary ? renderTerminal(report, { colour: env.NO_COLOR === undefined || env.NO_COLOR === "" }) : render(report, (values.format ?? "markdown") as AuditFormat);
    if (values.output !== undefined) fs.writeFileSync(values.output, text);
    else io.out.write(text);
    if (values["write-modules"] !== undefined) {
      for (const m of policyModules(report.policiesJson.policies, report.gatewayPolicies.map((c) => c.handler))) {
        const file = path.join(values["write-modules"], m.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, m.source);
        io.err.write(`gatelock: wrote ${file}\n`);
      }
    }
    return exitCodeOf(report, failOn as FailOn);
  } catch (e) {
    stop();
    if (e instanceof GatelockError) {
      io.err.write(`gatelock: ${e.message} [${e.code}]\n`);
      // No such stack, no project: the call named something that is not there.
      return e.code === "ERR_STACK_NOT_FOUND" ? EXIT.USAGE : EXIT.REFUSED;
    }
    throw e;
  }
}

function usageError(io: CliIo, message: string, usage?: string): number {
  io.err.write(`gatelock: ${message}\n${usage ? `\n${usage}` : ""}`);
  return EXIT.USAGE;
}

const SYNC_OPTIONS = {
  stack: { type: "string", short: "s" },
  project: { type: "string", short: "p" },
  check: { type: "boolean" },
  "dry-run": { type: "boolean" },
  cwd: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function gatewayCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "--help" || sub === "-h" || sub === "help") {
    io.out.write(`Usage:\n${SYNC_USAGE}`);
    return EXIT.OK;
  }
  if (sub !== "sync") {
    const suggestion = sub ? closest(sub, ["sync"]) : undefined;
    return usageError(io, sub ? `unknown gateway command ${JSON.stringify(sub)}${suggestion ? `; did you mean \`sync\`?` : ""}` : "gateway needs a command: sync", `Usage:\n${SYNC_USAGE}`);
  }
  let values: { stack?: string; project?: string; check?: boolean; "dry-run"?: boolean; cwd?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: SYNC_OPTIONS, strict: true }));
  } catch (e) {
    return usageError(io, flagError(e, SYNC_OPTIONS), `Usage:\n${SYNC_USAGE}`);
  }
  if (values.help) {
    io.out.write(`Usage:\n${SYNC_USAGE}`);
    return EXIT.OK;
  }
  if (!values.stack) return usageError(io, "--stack is required", `Usage:\n${SYNC_USAGE}`);
  if (!values.project) return usageError(io, "--project is required (the Zuplo project's folder)", `Usage:\n${SYNC_USAGE}`);
  if (values.check && values["dry-run"]) return usageError(io, "--check and --dry-run do not go together: --check is --dry-run that exits 1 when out of date");
  const cwd = values.cwd ?? process.cwd();
  const mode: SyncMode = values.check ? "check" : values["dry-run"] ? "dry-run" : "write";
  try {
    const origins = (await import("../gateway-project/stack-origins")).stackLockedOrigins(findProjectDir(cwd), values.stack);
    const projectDir = path.resolve(cwd, values.project);
    const result = (await import("../gateway-project/sync")).syncGatewayProject({ projectDir, origins, stack: values.stack, mode });
    if (mode !== "write") io.out.write(result.diff);
    for (const f of result.written) io.err.write(`gatelock: wrote ${path.relative(cwd, f) || f}\n`);
    for (const f of result.findings) io.err.write(`gatelock: ${f.severity}: ${f.path}: ${f.message}${f.fix ? ` Fix: ${f.fix}` : ""} [${f.code}]\n`);
    const outOfDate = result.changes.length > 0;
    if (mode === "check") io.err.write(outOfDate ? `gatelock: ${values.project} is out of date with stack ${values.stack}: run \`gatelock gateway sync\` without --check.\n` : `gatelock: ${values.project} is in sync with stack ${values.stack}.\n`);
    else if (!outOfDate) io.err.write(`gatelock: ${values.project} is already in sync with stack ${values.stack}.\n`);
    const errors = result.findings.some((f) => f.severity === "error");
    if (mode === "check") return outOfDate || errors ? EXIT.REFUSED : EXIT.OK;
    if (mode === "dry-run") return EXIT.OK;
    return errors ? EXIT.REFUSED : EXIT.OK;
  } catch (e) {
    return gatelockErrorExit(e, io);
  }
}

const INIT_OPTIONS = {
  from: { type: "string" },
  stack: { type: "string", short: "s" },
  cwd: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function initCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { from?: string; stack?: string; cwd?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: INIT_OPTIONS, strict: true }));
  } catch (e) {
    return usageError(io, flagError(e, INIT_OPTIONS), `Usage:\n${INIT_USAGE}`);
  }
  if (values.help) {
    io.out.write(`Usage:\n${INIT_USAGE}`);
    return EXIT.OK;
  }
  if (!values.from) return usageError(io, "--from is required (the Zuplo project's folder)", `Usage:\n${INIT_USAGE}`);
  const cwd = values.cwd ?? process.cwd();
  const stack = values.stack ?? "dev";
  try {
    let projectDir: string;
    try {
      projectDir = findProjectDir(cwd);
    } catch {
      projectDir = path.resolve(cwd); // no Pulumi project yet: stacks/ under --cwd
    }
    const result = (await import("../gateway-project/init")).initStackFromProject({ from: path.resolve(cwd, values.from), fromLabel: values.from, projectDir, stack });
    io.err.write(`gatelock: wrote ${path.relative(cwd, result.file) || result.file} with ${result.origins.length} origin${result.origins.length === 1 ? "" : "s"} (${result.origins.map((o) => o.name).join(", ") || "none"}): fill in the TODOs, then run \`gatelock audit --stack ${stack}\`.\n`);
    return EXIT.OK;
  } catch (e) {
    return gatelockErrorExit(e, io);
  }
}

/** A refusal from the library: exit 2 when the call named something that is not there, 1 otherwise. */
function gatelockErrorExit(e: unknown, io: CliIo): number {
  if (!(e instanceof GatelockError)) throw e;
  io.err.write(`gatelock: ${e.message} [${e.code}]\n`);
  return e.code === "ERR_STACK_NOT_FOUND" || e.code === "ERR_GATEWAY_PROJECT_NOT_FOUND" ? EXIT.USAGE : EXIT.REFUSED;
}

/** parseArgs' complaint, with a "did you mean" for an unknown flag. */
function flagError(e: unknown, options: object = AUDIT_OPTIONS): string {
  const message = (e as Error).message;
  if ((e as { code?: string }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return message;
  const flag = /'(-{1,2}[^']+)'/.exec(message)?.[1];
  if (!flag) return message;
  const suggestion = closest(flag.replace(/^-+/, ""), Object.keys(options));
  return `unknown option ${flag}${suggestion ? `; did you mean \`--${suggestion}\`?` : ""}`;
}

/** After a second, say on a terminal's standard error that the audit is running; returns a stop function. */
function progress(io: CliIo, stack: string): () => void {
  if (io.err.isTTY !== true) return () => undefined;
  const timer = setTimeout(() => io.err.write(`gatelock: auditing stack ${stack} (running the program under the mock engine)...\n`), 1000);
  timer.unref?.();
  return () => clearTimeout(timer);
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
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

/** Runs the process's own arguments as the `gatelock` command, then exits (bin.ts). */
export function runAsCommand(): void {
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

// `node dist/cli/main.js …` works as well as the `gatelock` bin.
if (require.main === module) runAsCommand();
