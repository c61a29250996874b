/**
 * The gatelock program: stack config → model → one translator per origin → gateway
 * environment. `index.ts` at the project root is just `export = deploy()`; the offline
 * audit runs this same function under Pulumi's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { GatelockError } from "../errors";
import { GatewayEnvironment, type VariableSummary } from "../gateway/environment";
import { gatewayConfigFor, type OriginGatewayConfig, policiesDocument, type ZuploPolicy } from "../gateway/zuplo-policies";
import type { Cloud } from "../model/config";
import { describeOrigin, type OriginDescription } from "../model/describe";
import { buildModel, type GatelockModel } from "../model/model";
import type { Finding } from "../model/safety";
import type { CloudModule, OriginDeployment } from "./translator";

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
}

export interface Deployment {
  readonly model: GatelockModel;
  readonly origins: readonly OriginDeployment[];
  readonly environment: GatewayEnvironment;
  readonly outputs: GatelockOutputs;
}

const CLOUD_MODULES: Record<Cloud, { readonly pkg?: string; readonly load: () => Promise<CloudModule> }> = {
  aws: { pkg: "@pulumi/aws", load: async () => (await import("../aws")).cloud },
  gcp: { pkg: "@pulumi/gcp", load: async () => (await import("../gcp")).cloud },
  azure: { pkg: "@pulumi/azure-native", load: async () => (await import("../azure")).cloud },
  local: { load: async () => (await import("../local")).cloud },
  other: { load: async () => (await import("../other")).cloud },
};

/** Reads `gatelock:gateway` and `gatelock:origins` from the stack config. */
export function readStackConfig(): unknown {
  const cfg = new pulumi.Config("gatelock");
  return { gateway: cfg.getObject("gateway"), origins: cfg.getObject("origins") ?? [] };
}

export async function deploy(options: DeployOptions = {}): Promise<Deployment> {
  const stack = options.stack ?? pulumi.getStack();
  // Validation happens here, before any resource is registered.
  const model = buildModel(options.config ?? readStackConfig(), { stack, projectDir: options.projectDir ?? process.cwd() });

  // Load only the clouds this stack uses: an AWS-only stack never loads the Azure SDK.
  const clouds = new Map<Cloud, CloudModule>();
  for (const cloud of new Set(model.origins.map((o) => o.cloud))) clouds.set(cloud, await loadCloud(cloud));

  const origins = model.origins.map((origin) => {
    const translate = clouds.get(origin.cloud)!.translators[origin.method];
    if (!translate) {
      throw new GatelockError("ERR_CONFIG_INVALID", `${origin.key}: method ${origin.method} is not available on ${origin.cloud} yet.`);
    }
    return translate(origin, { stack });
  });

  const environment = new GatewayEnvironment("gateway", {
    gateway: model.gateway,
    variables: origins.flatMap((o) => o.variables),
    ...(options.projectDir ? { projectDir: options.projectDir } : {}),
  });

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

async function loadCloud(cloud: Cloud): Promise<CloudModule> {
  const entry = CLOUD_MODULES[cloud];
  try {
    return await entry.load();
  } catch (e) {
    if (entry.pkg && isMissingModule(e, entry.pkg)) {
      throw new GatelockError(
        "ERR_CONFIG_INVALID",
        `this stack has origins on ${cloud}, which needs the optional peer dependency ${entry.pkg}: run \`npm install ${entry.pkg}\`.`,
        { cause: e },
      );
    }
    throw e;
  }
}

function isMissingModule(e: unknown, pkg: string): boolean {
  return (e as NodeJS.ErrnoException)?.code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(pkg);
}
