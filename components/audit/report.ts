/**
 * The offline audit: run a stack's real program under the mock engine and report what
 * `pulumi up` would do, with every secret masked.
 */
import * as path from "node:path";
import { containsAny, LEAK_WINDOW } from "./contains-any";
import { ConfigError, GatelockError, ResourceRefusedError } from "../errors";
import type { VariableSummary } from "../gateway/environment";
import { type OriginGatewayConfig, policiesDocument, type ZuploPolicy } from "../gateway/zuplo-policies";
import { describeOrigin, type OriginDescription } from "../model/describe";
import { buildModel } from "../model/model";
import type { Finding } from "../model/safety";
import { deploy, type Deployment } from "../program/deploy";
import { type MockRun, MockRunError, runUnderMocks, type RecordedResource } from "../testing/engine";
import { FakeCloud, type FakeCloudOptions, isSecretValue, reveal } from "../testing/fakes";
import type { AuditDiff } from "./diff";
import { replaceInvented } from "./placeholders";
import { ENCRYPTED_PLACEHOLDER, readStackConfig, type StackConfig } from "./stack-file";

export const MASK = "[secret]";

export interface AuditResource {
  readonly urn: string;
  /** Pulumi type token. */
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource. */
  readonly parent: string | null;
  /** Inputs as `pulumi up` would send them; secret values masked as "[secret]". */
  readonly inputs: Record<string, unknown>;
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
  const findings: Finding[] = [...model.findings, ...environmentFindings(stackConfig, options.env ?? process.env, deployment)];
  const resources = run.resources.map(toAuditResource);
  findings.push(...leakFindings(run.resources, { resources, variables: outputs.gatewayVariables }, gatewayDotenvEntries(options.projectDir, outputs.gatewayVariables)));
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

/** Every configured value, which the fakes must never invent (see `replaceInvented`). */
function configText(sc: StackConfig): string {
  return [sc.project, ...Object.entries(sc.config).flat()].join("\n");
}

/** Where a placeholder stands in for a fact that decides trust, say so. */
function deployTimeFindings(origins: Deployment["model"]["origins"]): Finding[] {
  return origins.flatMap((o): Finding[] =>
    o.method === "federated" && o.target.cloud === "aws" && o.target.accountId === undefined
      ? [
          {
            severity: "warning",
            code: "WARN_ACCOUNT_AT_DEPLOY",
            path: `${o.key}.aws.accountId`,
            message: "the trust policy and invoke grant are in `<deploying account>`: the account of `pulumi up`'s credentials, unknown to the audit.",
            fix: "set `aws.accountId` to the origin's account.",
          },
        ]
      : [],
  );
}

/** `gatelock:gateway` and `gatelock:origins` from the stack file, parsed from JSON. */
function rawGatelockConfig(sc: StackConfig): unknown {
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

function invalidReport(stack: string, error: ConfigError | undefined): AuditReport {
  const findings: Finding[] = (error?.issues ?? []).map((i) => ({
    severity: "error",
    code: i.code,
    path: i.path,
    message: i.message,
    ...(i.fix ? { fix: i.fix } : {}),
  }));
  return {
    stack,
    gateway: null,
    ok: false,
    origins: [],
    variables: [],
    gatewayPolicies: [],
    policiesJson: policiesDocument([]),
    findings,
    resources: [],
    placeholders: [],
  };
}

function toAuditResource(r: RecordedResource): AuditResource {
  return { urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, inputs: mask(r.inputs) as Record<string, unknown> };
}

/** Replace every secret with "[secret]"; keep the structure so reviewers see what is set. */
export function mask(v: unknown): unknown {
  if (isSecretValue(v)) return MASK;
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

function environmentFindings(sc: StackConfig, env: NodeJS.ProcessEnv, d: Deployment): Finding[] {
  const findings: Finding[] = [];
  if (d.model.gateway.environment.developerApi && !env.ZUPLO_API_KEY && sc.config["gatelock:zuploApiKey"] === undefined) {
    findings.push({
      severity: "warning",
      code: "WARN_NO_API_KEY",
      path: "gatelock:gateway.environment.developerApi",
      message: "no Zuplo Developer API key is configured, so `pulumi up` cannot write the gateway's variables.",
      fix: "export ZUPLO_API_KEY, or run `pulumi config set --secret gatelock:zuploApiKey <key>`.",
    });
  }
  if (sc.config["gatelock:zuploApiKey"] !== undefined && sc.config["gatelock:zuploApiKey"] !== ENCRYPTED_PLACEHOLDER) {
    findings.push({
      severity: "error",
      code: "ERR_PLAINTEXT_API_KEY",
      path: "gatelock:zuploApiKey",
      message: "the Zuplo API key is stored in plain text in the stack file.",
      fix: "rotate the key, then `pulumi config set --secret gatelock:zuploApiKey <key>`.",
    });
  }
  return findings;
}

/**
 * The gateway's dotenv files, by absolute path, each with the variables it holds and whether
 * the program declared each one secret.
 */
function gatewayDotenvEntries(projectDir: string, variables: readonly VariableSummary[]): Map<string, Map<string, boolean>> {
  const files = new Map<string, Map<string, boolean>>();
  for (const v of variables) {
    for (const sink of v.sinks) {
      if (!sink.startsWith("dotenv:")) continue;
      const file = path.resolve(projectDir, sink.slice("dotenv:".length));
      if (!files.has(file)) files.set(file, new Map());
      files.get(file)!.set(v.name, v.isSecret);
    }
  }
  return files;
}

/**
 * The audit's own guard: no secret value may appear anywhere in what it prints. Secrets are
 * known here (the fakes produced them), so look for each in the report's plain text.
 *
 * Every string inside a Pulumi secret is a candidate, with one exception: the gateway's dotenv
 * file is written from one secret map of all gateway variables, so its entries are secret
 * only as a whole. An entry is a candidate unless the program declares that very variable
 * not secret (an origin URL, a role ARN): a value it publishes in plain text anyway. A
 * generated secret stays a candidate wherever it is (its own variable, the origin's store),
 * so a secret leaked into a plain variable is still caught.
 */
function leakFindings(recorded: readonly RecordedResource[], printed: unknown, dotenvFiles: ReadonlyMap<string, ReadonlyMap<string, boolean>> = new Map()): Finding[] {
  const secrets = new Set<string>();
  const collect = (v: unknown, inSecret: boolean) => {
    if (isSecretValue(v)) return collect(v.value, true);
    if (typeof v === "string" && inSecret && v.length >= 8) secrets.add(v);
    else if (Array.isArray(v)) v.forEach((x) => collect(x, inSecret));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => collect(x, inSecret));
  };
  for (const r of recorded) {
    // The file is named relative to its project (`projectDir`), or absolutely by gatelock 0.1.
    const file = r.type === DOTENV_TYPE && typeof r.inputs.path === "string" ? path.resolve(typeof r.inputs.projectDir === "string" ? r.inputs.projectDir : "/", r.inputs.path) : undefined;
    const declared = file !== undefined ? dotenvFiles.get(file) : undefined;
    const entries = declared ? reveal(r.inputs.entries) : undefined;
    if (!declared || !entries || typeof entries !== "object" || Array.isArray(entries)) {
      collect(r.inputs, false);
      continue;
    }
    const { entries: _entries, ...rest } = r.inputs;
    collect(rest, false);
    for (const [name, value] of Object.entries(entries)) {
      if (declared.get(name) !== false) collect(value, true);
    }
  }
  const pieces: string[] = [];
  for (const s of secrets) {
    for (const piece of [s, ...jsonFragments(s)]) if (piece.length >= LEAK_WINDOW) pieces.push(piece);
  }
  if (containsAny(JSON.stringify(printed), pieces)) {
    return [{ severity: "error", code: "ERR_SECRET_IN_OUTPUT", path: "audit", message: "a secret value would have been printed; the audit refused to print it.", fix: "report this as a gatelock bug." }];
  }
  return [];
}

/** The dynamic resource that writes a dotenv file (`components/dotenv/dotenv-file.ts`). */
const DOTENV_TYPE = "pulumi-nodejs:dynamic/gatelock:DotenvFile";

/** Secret documents are JSON; their inner strings are secrets too. */
function jsonFragments(s: string): string[] {
  try {
    const parsed = JSON.parse(s) as unknown;
    const out: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === "string") out.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(reveal(parsed));
    return out.filter((x) => !/^\d{4}-\d\d-\d\dT/.test(x));
  } catch {
    return [];
  }
}

/** Every `$env(X)` a policy uses must be a variable gatelock writes. */
function consistencyFindings(variables: readonly VariableSummary[], configs: readonly OriginGatewayConfig[]): Finding[] {
  const names = new Set(variables.map((v) => v.name));
  const findings: Finding[] = [];
  for (const c of configs) {
    const text = JSON.stringify(c);
    for (const m of text.matchAll(/\$env\(([A-Z0-9_]+)\)|\$\{env\.([A-Z0-9_]+)\}/g)) {
      const name = m[1] ?? m[2]!;
      if (!names.has(name)) {
        findings.push({ severity: "error", code: "ERR_POLICY_VARIABLE_MISSING", path: `gatelock:origins.${c.origin}`, message: `the gateway configuration uses ${name}, which no sink writes.`, fix: "report this as a gatelock bug." });
      }
    }
  }
  return findings;
}

