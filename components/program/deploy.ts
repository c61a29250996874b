/**
 * The gatelock program: stack config → model → one translator per origin → gateway
 * environment. `index.ts` at the project root is just `export = deploy()`; the offline
 * audit runs this same function under Pulumi's mocks.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayArgs } from "../component/checked-origin";
import { ConfigError, GatelockError, missingDependencyError } from "../errors";
import { ownCaKeyIssues } from "./config-secrets";
import { type VariableSummary, ZuploEnvironment } from "../gateway/environment";
import type { GatewayTunnel } from "../gateway/tunnel-gateway";
import { gatewayConfigFor, type OriginGatewayConfig, policiesDocument, type ZuploPolicy } from "../gateway/zuplo-policies";
import { type Cloud, GatelockConfig, type Method, type ParsedConfig } from "../model/config";
import { describeOrigin, type OriginDescription } from "../model/describe";
import { buildModel, type GatelockModel } from "../model/model";
import type { Finding } from "../model/safety";
import { type BuildContext, type CloudModule, expectMethod, type OriginBuilder, type OriginDeployment } from "./translator";

export interface GatelockOutputs {
  /** e.g. `zuplo acme/orders-api@main`. */
  readonly gateway: string;
  readonly origins: Record<string, OriginDescription & { readonly resources: Record<string, pulumi.Input<unknown>> }>;
  /** Every variable written to the gateway, whether it is secret, and where; never values. */
  readonly gatewayVariables: readonly VariableSummary[];
  /** Per origin, the Zuplo policy configuration to add to the gateway project. */
  readonly gatewayPolicies: readonly OriginGatewayConfig[];
  /** All gatelock policies as one `config/policies.json` document. */
  readonly policiesJson: { readonly policies: readonly ZuploPolicy[] };
  readonly findings: readonly Finding[];
}

export interface DeployOptions {
  /** Raw config `{gateway, origins}`; default: read from the stack's `gatelock:*` config. */
  readonly config?: unknown;
  /** Default: the current stack. */
  readonly stack?: string;
  /** Base directory for relative dotenv paths; default: the working directory. */
  readonly projectDir?: string;
  /** Resource options for every component the program creates (e.g. `providers`, `protect`). */
  readonly opts?: pulumi.ComponentResourceOptions;
}

export interface Deployment {
  readonly model: GatelockModel;
  readonly origins: readonly OriginDeployment[];
  readonly environment: ZuploEnvironment;
  readonly outputs: GatelockOutputs;
}

/** Each cloud's translator and the SDK package its components import (named when it is missing). */
const CLOUD_MODULES: Record<Cloud, { readonly pkg?: string; readonly load: () => Promise<CloudModule> }> = {
  aws: { pkg: "@pulumi/aws", load: async () => (await import("../aws/program")).cloud },
  gcp: { pkg: "@pulumi/gcp", load: async () => (await import("../gcp/program")).cloud },
  azure: { pkg: "@pulumi/azure-native", load: async () => (await import("../azure/program")).cloud },
  local: { load: async () => (await import("../local/program")).cloud },
  other: { load: async () => (await import("../other/program")).cloud },
  kubernetes: { pkg: "@pulumi/kubernetes", load: async () => (await import("../kubernetes/program")).cloud },
  docker: { load: async () => (await import("../docker/program")).cloud },
};

/** Reads `gatelock:gateway` and `gatelock:origins` from the stack config. */
export function readStackConfig(): unknown {
  const cfg = new pulumi.Config("gatelock");
  return { gateway: cfg.getObject("gateway"), origins: cfg.getObject("origins") ?? [] };
}

export async function deploy(options: DeployOptions = {}): Promise<Deployment> {
  const stack = options.stack ?? pulumi.getStack();
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const raw = options.config ?? readStackConfig();
  // A stack file's every `gatelock:*` key must be one gatelock reads (a typo would deploy nothing).
  const stackKeys = options.config === undefined ? Object.keys(pulumi.runtime.allConfig()) : [];
  // Validation of the whole stack (every origin, and what they share) happens here, before
  // any resource is registered; each component checks its own args again with the same code.
  const model = buildModel(raw, { stack, projectDir, stackKeys });
  const config = GatelockConfig.parse(raw);
  // The secrets the stack file names (a CA's key) must be there, encrypted, before anything is built.
  if (options.config === undefined) {
    const issues = ownCaKeyIssues(model.origins);
    if (issues.length > 0) throw new ConfigError(issues);
  }

  // Load only what this stack uses: its clouds' translators, and the components of the methods
  // it uses there (an AWS-only stack never loads the Azure SDK; a shared-secret stack, no ECS).
  const clouds = new Map<Cloud, CloudModule>();
  for (const cloud of new Set(model.origins.map((o) => o.cloud))) clouds.set(cloud, await CLOUD_MODULES[cloud].load());
  const builders = new Map<string, OriginBuilder>();
  for (const o of model.origins) {
    const key = builderKey(o.cloud, o.method);
    if (!builders.has(key)) builders.set(key, await loadBuilder(o.cloud, o.method, clouds.get(o.cloud)!, o.key));
  }

  // What origins of one cloud share (AWS: the IAM OIDC provider for the gateway's issuer).
  let ctx: BuildContext = { gateway: gatewayArgs(config.gateway), zuplo: { account: config.gateway.account, project: config.gateway.project, branch: config.gateway.branch }, stack, projectDir, ...(options.opts ? { opts: options.opts } : {}) };
  for (const [cloud, module] of clouds) ctx = { ...ctx, ...(module.shared ? await withCloudPackage(cloud, () => module.shared!(model, ctx)) : {}) };

  // Each tunnel on Zuplo, before its connector (which needs the token): loaded only by a stack
  // with a tunnel origin.
  const tunnelParts = model.origins.some((o) => o.method === "tunnel") ? await import("./tunnels") : undefined;
  const tunnels = tunnelParts?.gatewayTunnels(model, options.opts) ?? new Map<string, GatewayTunnel>();
  if (tunnels.size > 0) ctx = { ...ctx, tunnelTokens: tunnelParts!.tunnelTokens(model, config, tunnels) };

  // A tunnel carries its origins once their connector exists; the gateway's URLs wait for that.
  const carried = new Map<string, pulumi.Resource>();
  const origins: OriginDeployment[] = config.origins.map((o, i) => {
    const origin = model.origins[i]!;
    const component = origin.method === "tunnel" && origin.tunnel.carrier !== origin.name ? tunnelParts!.carriedOrigin(expectMethod(o, "tunnel"), origin, ctx) : builders.get(builderKey(o.cloud, o.method))!(o, ctx);
    const module = clouds.get(o.cloud)!;
    let ready: pulumi.Resource | undefined;
    if (origin.method === "tunnel") {
      const tunnel = tunnels.get(origin.tunnel.tunnelName);
      if (tunnel && component.tunnelServices) carried.set(origin.tunnel.tunnelName, tunnel.carry(component.tunnelServices, [component]));
      ready = carried.get(origin.tunnel.tunnelName);
    }
    const variables = ready ? component.gatewayVariables.map((v) => ({ ...v, dependsOn: [...(v.dependsOn ?? []), ready] })) : component.gatewayVariables;
    return { origin, component, variables, outputs: { ...component.summary, ...module.outputs?.(origin) } };
  });

  const g = config.gateway;
  const environment = new ZuploEnvironment("gateway", {
    account: g.account,
    project: g.project,
    branch: g.branch,
    ...g.environment,
    variables: origins.flatMap((o) => o.variables),
    certificates: origins.flatMap((o) => o.component.gatewayCertificates ?? []),
    projectDir,
  }, options.opts);

  const gatewayPolicies = model.origins.map(gatewayConfigFor);
  const outputs: GatelockOutputs = {
    gateway: model.gateway.label,
    origins: Object.fromEntries(
      origins.map((d) => [d.origin.name, { ...describeOrigin(d.origin, model.gateway), resources: d.outputs }]),
    ),
    gatewayVariables: environment.variables,
    gatewayPolicies,
    policiesJson: policiesDocument(gatewayPolicies),
    findings: model.findings,
  };
  return { model, origins, environment, outputs };
}

/** The gateway the stack's federated origins trust, as component args. */
function gatewayArgs(g: ParsedConfig["gateway"]): GatewayArgs {
  return { account: g.account, project: g.project, ...(g.identity ? { ...g.identity } : {}) };
}

const builderKey = (cloud: Cloud, method: Method) => `${cloud} ${method}`;

/** Load one method's component on one cloud, naming a missing package as such. */
async function loadBuilder(cloud: Cloud, method: Method, module: CloudModule, key: string): Promise<OriginBuilder> {
  const entry = module.methods[method];
  if (!entry) throw new GatelockError("ERR_CONFIG_INVALID", `${key}: method ${method} is not available on ${cloud} yet.`);
  return withCloudPackage(cloud, entry.load, entry.pkg);
}

/** Run a step that loads a cloud's components: a package it needs that is not installed is a missing dependency, not a crash. */
async function withCloudPackage<T>(cloud: Cloud, step: () => Promise<T>, methodPkg?: string): Promise<T> {
  try {
    return await step();
  } catch (e) {
    for (const pkg of [methodPkg, CLOUD_MODULES[cloud].pkg]) {
      if (pkg && isMissingModule(e, pkg)) throw missingDependencyError(pkg, cloud, e);
    }
    throw e;
  }
}

/**
 * The load failed because `pkg` itself is not installed, not because of something inside it:
 * Node's MODULE_NOT_FOUND names the module it could not find (`Cannot find module '<pkg>'`,
 * or a path below it), and only that names which one.
 */
function isMissingModule(e: unknown, pkg: string): boolean {
  if ((e as NodeJS.ErrnoException)?.code !== "MODULE_NOT_FOUND") return false;
  const missing = /Cannot find module '([^']+)'/.exec(String((e as Error).message))?.[1];
  return missing === pkg || missing?.startsWith(`${pkg}/`) === true;
}
