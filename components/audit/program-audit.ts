/**
 * `gatelock audit --program <dir> --stack <name>`: audit a user's own Pulumi program (a
 * platform repo's `index.ts` that builds gatelock's components beside its own resources)
 * rather than gatelock's stack-file program.
 *
 * The program runs under the same mock engine and fakes as `audit --stack`; the gatelock
 * components in it report themselves while it runs (component/audit-observer.ts), and the
 * report is built from their checked models exactly as the stack-file audit builds it from
 * the stack's model. Resources the fakes do not know get generic fakes, marked as such.
 */
import { argPath } from "../component/checked-origin";
import { type ComponentObserver, type ObservedEnvironment, type ObservedOrigin, observeComponents } from "../component/audit-observer";
import { type ConfigIssue, GatelockError, ResourceRefusedError } from "../errors";
import { gatewayConfigFor, policiesDocument } from "../gateway/zuplo-policies";
import { describeOrigin } from "../model/describe";
import { buildModel, type GatewayModel, type OriginModel } from "../model/model";
import type { Finding } from "../model/safety";
import { type MockRun, MockRunError, runUnderMocks } from "../testing/engine";
import { GenericFakeCloud } from "../testing/fakes-generic";
import { replaceInvented } from "./placeholders";
import { openProgramSession } from "./program-loader";
import { readProgramProject } from "./program-project";
import { ProgramSyntaxError } from "./ts-loader";
import type { AuditReport, AuditResource } from "./report";
import { configText, consistencyFindings, deployTimeFindings, environmentFindings, gatewayDotenvEntries, invalidReport, leakFindings, toAuditResource } from "./report-parts";

export interface ProgramAuditOptions {
  /** The program's directory (holds its Pulumi.yaml). */
  readonly programDir: string;
  readonly stack: string;
  /** Environment, for checks such as "is a Developer API key available" (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export async function runProgramAudit(options: ProgramAuditOptions): Promise<AuditReport> {
  // The require hooks, the working directory and the observer are process-wide: one at a time.
  const previous = queue;
  let release!: () => void;
  queue = new Promise<void>((r) => (release = r));
  await previous;
  try {
    return await auditOnce(options);
  } finally {
    release();
  }
}

let queue: Promise<void> = Promise.resolve();

interface Seen {
  readonly origins: ObservedOrigin[];
  readonly models: Promise<OriginModel>[];
  readonly environments: ObservedEnvironment[];
}

async function auditOnce(options: ProgramAuditOptions): Promise<AuditReport> {
  const project = readProgramProject(options.programDir, options.stack);
  const { stackConfig } = project;
  const fakes = new GenericFakeCloud({ inventAvoiding: configText(stackConfig) }, stackConfig.config);
  const seen: Seen = { origins: [], models: [], environments: [] };
  const observer: ComponentObserver = {
    origin(o) {
      seen.origins.push(o);
      // Taken while the program runs: a refused value fails the run, as it fails `pulumi up`.
      seen.models.push(new Promise((resolve) => o.model.apply((m) => void resolve(m))));
    },
    environment(e) {
      seen.environments.push(e);
    },
  };
  const session = openProgramSession(project.dir, project.main);
  let run: MockRun<unknown>;
  try {
    run = await runUnderMocks(
      async () => {
        // Listen only inside the engine's turn, so no other run's components are taken for the program's.
        const stop = observeComponents(observer);
        try {
          return await session.run();
        } finally {
          stop();
        }
      },
      { project: stackConfig.project, stack: options.stack, config: stackConfig.config, secretKeys: stackConfig.secretKeys, fakes },
    );
  } catch (e) {
    if (!(e instanceof MockRunError)) throw e;
    return failedReport(options.stack, e.cause, session.locate(e.cause));
  } finally {
    session.close();
  }

  const models = await Promise.all(seen.models);
  const gatewayOf = (origin: string): GatewayModel =>
    (seen.environments.find((e) => e.variables.some((v) => v.origin === origin)) ?? seen.environments[0])?.gateway ?? NO_GATEWAY;
  const variables = seen.environments.flatMap((e) => e.variables);
  const gatewayPolicies = models.map(gatewayConfigFor);

  const findings: Finding[] = seen.origins.flatMap((o, i) => [
    ...o.findings,
    ...deployTimeFindings([models[i]!]).map((f) => ({ ...f, path: `${o.component}: ${argPath(f.path)}` })),
  ]);
  for (const e of seen.environments) findings.push(...environmentFindings(stackConfig, options.env ?? process.env, e.gateway, `${e.component}: developerApi`));
  const resources = run.resources.map((r): AuditResource => (fakes.generic.has(`${r.type}::${r.name}`) ? { ...toAuditResource(r), fake: "generic" } : toAuditResource(r)));
  findings.push(...genericFakeFindings(resources));
  findings.push(...consistencyFindings(variables, gatewayPolicies));
  findings.push(...leakFindings(run.resources, { resources, variables, findings }, gatewayDotenvEntries(project.dir, variables)));

  const { value: report, used } = replaceInvented(
    {
      stack: options.stack,
      gateway: seen.environments[0]?.gateway.label ?? null,
      ok: !findings.some((f) => f.severity === "error"),
      origins: models.map((m) => ({ ...describeOrigin(m, gatewayOf(m.name)), variables: variables.filter((v) => v.origin === m.name).map((v) => v.name) })),
      variables,
      gatewayPolicies,
      policiesJson: policiesDocument(gatewayPolicies),
      findings,
      resources,
    },
    run.fakes.invented,
    run.fakes.clockAnchor,
  );
  return { ...report, placeholders: used };
}

/** Stands in for the gateway in descriptions when the program builds no ZuploEnvironment. */
const NO_GATEWAY: GatewayModel = {
  ...buildModel({ gateway: { kind: "zuplo", account: "gateway", project: "gateway", branch: "main" }, origins: [] }, { stack: "audit" }).gateway,
  label: "the gateway (this program builds no ZuploEnvironment)",
};

function genericFakeFindings(resources: readonly AuditResource[]): Finding[] {
  const generic = resources.filter((r) => r.fake === "generic");
  if (generic.length === 0) return [];
  const types = [...new Set(generic.map((r) => r.type))].sort();
  return [
    {
      severity: "warning",
      code: "WARN_GENERIC_FAKE",
      path: "resources",
      message:
        `${generic.length} resource(s) of type(s) gatelock has no faithful fake for (${types.join(", ")}) were faked generically: ` +
        "their outputs (IDs, names, ARNs, emails, URLs) are placeholders such as `<arn of NAME>`, not what the cloud will return, and anything built from them is shown with those placeholders.",
      fix: "nothing to change in the program; check the real values after `pulumi up` where they decide trust.",
    },
  ];
}

/** The program did not run to the end: a refusal by a component or a fake, or its own failure. */
function failedReport(stack: string, cause: unknown, at: string): AuditReport {
  // A component refused its args: the same findings as a refused stack file, named by
  // component and arg (`orders: readers[0]`).
  if (isConfigError(cause)) return invalidReport(stack, cause);
  if (cause instanceof ResourceRefusedError) {
    return { ...invalidReport(stack, undefined), findings: [{ severity: "error", code: "ERR_RESOURCE_REFUSED", path: "resources", message: `the cloud would refuse this: ${cause.message}`, fix: "change the program so the resource is valid (see the message)." }] };
  }
  // A missing dependency is the installation's problem, not the program's: the CLI says so.
  if (cause instanceof GatelockError && cause.code === "ERR_DEPENDENCY_MISSING") throw cause;
  const what =
    cause instanceof ProgramSyntaxError
      ? `the program does not parse: ${firstLine(cause.message)}`
      : `the program failed before it finished: ${cause instanceof Error ? `${cause.name}: ${firstLine(cause.message)}` : firstLine(String(cause))}`;
  return {
    ...invalidReport(stack, undefined),
    findings: [
      {
        severity: "error",
        code: cause instanceof GatelockError ? cause.code : "ERR_PROGRAM_FAILED",
        path: at,
        message: what,
        fix: "fix the program (it must run under `pulumi preview` too), then audit again.",
      },
    ],
  };
}

/**
 * A ConfigError from any copy of gatelock: the program's components may come from a second
 * copy of gatelock's modules (see audit-observer.ts), whose classes `instanceof` cannot see.
 */
function isConfigError(e: unknown): e is { issues: readonly ConfigIssue[] } {
  return e instanceof Error && e.name === "ConfigError" && Array.isArray((e as { issues?: unknown }).issues);
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
