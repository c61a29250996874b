/**
 * The offline audit: run a stack's real program under the mock engine and report what
 * `pulumi up` would do, with every secret masked.
 */
import { ConfigError, GatelockError, ResourceRefusedError } from "../errors";
import type { VariableSummary } from "../gateway/environment";
import type { OriginGatewayConfig, ZuploPolicy } from "../gateway/zuplo-policies";
import { describeOrigin, type OriginDescription } from "../model/describe";
import { buildModel } from "../model/model";
import type { Finding } from "../model/safety";
import { deploy, type Deployment } from "../program/deploy";
import { type MockRun, MockRunError, runUnderMocks, type RecordedResource } from "../testing/engine";
import { FakeCloud, type FakeCloudOptions } from "../testing/fakes";
import type { AuditDiff } from "./diff";
import { replaceInvented } from "./placeholders";
import { configText, consistencyFindings, deployTimeFindings, environmentFindings, gatewayDotenvEntries, invalidReport, leakFindings, publicOriginDotenvEntries, toAuditResource } from "./report-parts";
import { readStackConfig, type StackConfig } from "./stack-file";

export { MASK, mask } from "./report-parts";

export interface AuditResource {
  readonly urn: string;
  /** Pulumi type token. */
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource. */
  readonly parent: string | null;
  /** Inputs as `pulumi up` would send them; secret values masked as "[secret]". */
  readonly inputs: Record<string, unknown>;
  /** `generic`: a type with no faithful fake (`--program`); its outputs are placeholders. */
  readonly fake?: "generic";
}

export interface AuditOrigin extends OriginDescription {
  /** Names of the gateway variables this origin needs. */
  readonly variables: readonly string[];
}

export interface AuditReport {
  readonly stack: string;
  readonly gateway: string | null;
  readonly ok: boolean;
  readonly origins: readonly AuditOrigin[];
  readonly variables: readonly VariableSummary[];
  readonly gatewayPolicies: readonly OriginGatewayConfig[];
  readonly policiesJson: { readonly policies: readonly ZuploPolicy[] };
  readonly findings: readonly Finding[];
  readonly resources: readonly AuditResource[];
  /**
   * The marked placeholders the report shows (`<deploying account>`, `<random>`…), each
   * standing for a value only `pulumi up` learns from the cloud. Sorted.
   */
  readonly placeholders: readonly string[];
  /** What changed since `--baseline`'s report, when one was given. */
  readonly diff?: AuditDiff;
}

export interface AuditOptions {
  readonly projectDir: string;
  readonly stack: string;
  /** Environment, for checks such as "is a Developer API key available" (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The fake cloud to audit against (a `FakeCloud` keeps what already exists across runs).
   * Given options, the audit draws what they leave out and prints it as placeholders; a
   * `FakeCloud` given as is prints its own values where it did not invent them.
   */
  readonly fakes?: FakeCloud | FakeCloudOptions;
  /** Sees the raw mock run (with secrets) before masking: for tests that hunt for leaks. */
  readonly observe?: (resources: readonly RecordedResource[]) => void;
}

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const stackConfig = readStackConfig(options.projectDir, options.stack);
  const raw = rawGatelockConfig(stackConfig);

  // Validate first, so an invalid stack gives findings rather than a stack trace.
  let configuredAccount: string | undefined;
  try {
    configuredAccount = configuredAwsAccount(buildModel(raw, { stack: options.stack, projectDir: options.projectDir }));
  } catch (e) {
    if (e instanceof ConfigError) return invalidReport(options.stack, e);
    throw e;
  }

  let deployment!: Deployment;
  let run: MockRun<unknown>;
  try {
    run = await runUnderMocks(
      async () => {
        deployment = await deploy({ config: raw, stack: options.stack, projectDir: options.projectDir });
        return deployment.outputs;
      },
      {
        project: stackConfig.project,
        stack: options.stack,
        config: stackConfig.config,
        secretKeys: stackConfig.secretKeys,
        fakes:
          options.fakes instanceof FakeCloud
            ? options.fakes
            : new FakeCloud({ ...(configuredAccount ? { awsAccountId: configuredAccount } : {}), ...options.fakes, inventAvoiding: configText(stackConfig) }),
      },
    );
  } catch (e) {
    // The program refused the config itself (a check that needs more than the model): the
    // same findings as a refusal before the run, not a crash.
    if (e instanceof MockRunError && e.cause instanceof ConfigError) return invalidReport(options.stack, e.cause);
    // A fake refused a resource as the real cloud API would: report it, do not crash. Matched
    // by class (code ERR_RESOURCE_REFUSED), never by message, and before the rethrow below
    // since it is a GatelockError too.
    if (e instanceof MockRunError && e.cause instanceof ResourceRefusedError) {
      return {
        ...invalidReport(options.stack, undefined),
        findings: [{ severity: "error", code: "ERR_RESOURCE_REFUSED", path: "resources", message: `the cloud would refuse this: ${e.cause.message}`, fix: "change the config so the resource is valid (see the message)." }],
      };
    }
    if (e instanceof MockRunError && e.cause instanceof GatelockError) throw e.cause;
    throw e;
  }
  options.observe?.(run.resources);
  const { model, outputs } = deployment;
  const findings: Finding[] = [...model.findings, ...environmentFindings(stackConfig, options.env ?? process.env, deployment.model.gateway)];
  const resources = run.resources.map(toAuditResource);
  findings.push(...leakFindings(run.resources, { resources, variables: outputs.gatewayVariables }, new Map([...gatewayDotenvEntries(options.projectDir, outputs.gatewayVariables), ...publicOriginDotenvEntries(options.projectDir, model.origins)])));
  findings.push(...consistencyFindings(outputs.gatewayVariables, outputs.gatewayPolicies));

  findings.push(...deployTimeFindings(model.origins));

  const { value: report, used } = replaceInvented(
    {
      stack: options.stack,
      gateway: model.gateway.label,
      ok: !findings.some((f) => f.severity === "error"),
      origins: model.origins.map((o) => ({
        ...describeOrigin(o, model.gateway),
        variables: outputs.gatewayVariables.filter((v) => v.origin === o.name).map((v) => v.name),
      })),
      variables: outputs.gatewayVariables,
      gatewayPolicies: outputs.gatewayPolicies,
      policiesJson: outputs.policiesJson,
      findings,
      resources,
    },
    run.fakes.invented,
    run.fakes.clockAnchor,
  );
  return { ...report, placeholders: used };
}

/**
 * The AWS account the config names (the model allows one per stack): the audit deploys "into"
 * it, as `pulumi up` must, rather than into an invented one.
 */
function configuredAwsAccount(model: ReturnType<typeof buildModel>): string | undefined {
  for (const o of model.origins) if (o.method === "federated" && o.target.cloud === "aws" && o.target.accountId) return o.target.accountId;
  return undefined;
}

/** `gatelock:gateway` and `gatelock:origins` from the stack file, parsed from JSON. */
export function rawGatelockConfig(sc: StackConfig): unknown {
  const get = (k: string) => {
    const v = sc.config[`gatelock:${k}`];
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  return { gateway: get("gateway"), origins: get("origins") ?? [] };
}

