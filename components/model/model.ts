/**
 * The model of trust: the gateway, its origins and the method that locks each one.
 *
 * `buildModel` is the only way in. It parses the raw stack config, runs every safety check,
 * and either returns a fully-defaulted model or throws one `ConfigError` listing every
 * problem. Per-cloud code receives this model and never re-validates it.
 */
import type { ZodError } from "zod";
import { ConfigError, type ConfigIssue } from "../errors";
import { CONFIG_NAMESPACE, GatelockConfig, GatewayConfig, ORIGIN_NAME, OriginConfig, type ParsedConfig, type ParsedFederatedOrigin, type ParsedOrigin, type ParsedSharedSecretOrigin } from "./config";
import { type AwsFederatedTarget, toAwsFederatedTarget } from "./federated/aws";
import { type AzureFederatedTarget, toAzureFederatedTarget } from "./federated/azure";
import { type GcpFederatedTarget, toGcpFederatedTarget } from "./federated/gcp";
import { federatedTrust } from "./federated/checks";
import { type MtlsClient, type MtlsTarget, type MtlsTrust, toMtlsParts } from "./mtls/target";
import { shareTunnels, type TunnelSettings, type TunnelTarget, toTunnelParts } from "./tunnel/target";
import { type CredentialRotation, type ServiceAuthTarget, toServiceAuthTarget } from "./service-auth/target";
import type { FederatedTrust } from "./federated/trust";
import { gitIgnoreOracle } from "../dotenv/git-ignore";
import type { IgnoreOracle } from "./dotenv-target";
import { localStoreFile } from "./dotenv-target";
import { checkGatewayVariables } from "./gateway-variables-check";
import { checkStackKeys, namedStackKeys } from "./stack-keys";
import type { GatewayIdentity } from "./identity";
import { checkConfig, type Finding, gatewayIdentity, lintConfig } from "./safety";
import { configKey, conflictIssue } from "./issues";
import { closest } from "./suggest";
import { zodIssues } from "./zod-issues";
import { defaultVariable, stackSlug } from "./names";

export interface GatewayModel {
  readonly kind: "zuplo";
  /** Human label, e.g. `zuplo acme/orders-api@main`. */
  readonly label: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  readonly identity: GatewayIdentity;
  readonly environment: {
    /**
     * Zuplo Developer API sink; absent when turned off. `redeploy`: redeploy the branch's
     * deployments when the variables change.
     */
    readonly developerApi?: { readonly apiUrl: string; readonly redeploy: boolean };
    /** Dotenv sink for `zuplo dev`; absent when not configured. */
    readonly dotenv?: { readonly path: string };
  };
}

export type SecretStore =
  | {
      readonly cloud: "aws";
      readonly region: string;
      readonly readers: readonly string[];
      readonly secretName: string;
      readonly kmsKeyId?: string;
      readonly recoveryWindowInDays?: number;
    }
  | {
      readonly cloud: "gcp";
      readonly project: string;
      readonly readers: readonly string[];
      readonly secretId: string;
      readonly locations?: readonly string[];
    }
  | {
      readonly cloud: "azure";
      readonly resourceGroup: string;
      readonly vault: string;
      readonly readers: readonly string[];
      readonly secretName: string;
    }
  | {
      readonly cloud: "local";
      /** Dotenv file the local origin loads its accepted secrets from. */
      readonly dotenv: string;
      /** Variable in that file holding the accepted-secrets document. */
      readonly variable: string;
    };

export interface SharedSecretModel {
  readonly header: string;
  readonly length: number;
  readonly rotateAfterDays: number;
  readonly overlapDays: number;
  readonly rotation: number;
  /** Gateway variable holding the current secret. */
  readonly variable: string;
}

interface OriginBase {
  readonly name: string;
  /** Config key of this origin, e.g. `gatelock:origins[2]`, for messages and findings. */
  readonly key: string;
  readonly url?: string;
}

export interface SharedSecretOrigin extends OriginBase {
  readonly method: "shared-secret";
  readonly cloud: SecretStore["cloud"];
  readonly sharedSecret: SharedSecretModel;
  readonly store: SecretStore;
}

export type FederatedTarget = AwsFederatedTarget | GcpFederatedTarget | AzureFederatedTarget | { readonly cloud: "other" };

export interface FederatedOrigin extends OriginBase {
  readonly method: "federated";
  readonly cloud: FederatedTarget["cloud"];
  readonly trust: FederatedTrust;
  readonly target: FederatedTarget;
}

/** Method 3: the gateway holds a credential the origin's cloud issued, and sends a token minted from it. */
export interface ServiceAuthOrigin extends OriginBase {
  readonly method: "service-auth";
  readonly cloud: ServiceAuthTarget["cloud"];
  /** How the gateway's credential rotates (for GCP, the rotation of the stack's shared account). */
  readonly credential: CredentialRotation;
  readonly target: ServiceAuthTarget;
}

/** Method 4: the origin accepts only TLS connections that present the gateway's client certificate. */
export interface MtlsOrigin extends OriginBase {
  readonly method: "mtls";
  readonly cloud: MtlsTarget["cloud"];
  /** The stack's own CA (and how it and the client certificate rotate), or a bundle brought by the user. */
  readonly trust: MtlsTrust;
  /** The certificate the gateway presents: its subject, Zuplo name and variable. */
  readonly client: MtlsClient;
  readonly target: MtlsTarget;
  /** `mtls.dangerouslyAllowOptionalClientCert`: a permissive origin-side mode was allowed. */
  readonly allowOptionalClientCert: boolean;
}

/**
 * Method 5: the origin has no public address; a connector inside its network dials out to the
 * gateway's tunnel, and the gateway calls it as `service://<service>` (its `url`).
 */
export interface TunnelOrigin extends OriginBase {
  readonly method: "tunnel";
  readonly cloud: TunnelTarget["cloud"];
  /** `service://<service>`: what the gateway forwards to. */
  readonly url: string;
  readonly tunnel: TunnelSettings;
  /** Where the connector runs. */
  readonly target: TunnelTarget;
}

export type OriginModel = SharedSecretOrigin | FederatedOrigin | ServiceAuthOrigin | MtlsOrigin | TunnelOrigin;

export interface GatelockModel {
  /** Stack (environment) name; part of every cloud resource name so stacks never collide. */
  readonly stack: string;
  readonly gateway: GatewayModel;
  readonly origins: readonly OriginModel[];
  /** Warnings: accepted, but worth a reviewer's attention. */
  readonly findings: readonly Finding[];
}

export interface BuildOptions {
  /** The stack name (environment). */
  readonly stack: string;
  /** The Pulumi project's directory, where dotenv paths are resolved (default: the working directory). */
  readonly projectDir?: string;
  /** Says whether git ignores a dotenv target (default: asks `git check-ignore` in `projectDir`). */
  readonly ignoreOracle?: IgnoreOracle;
  /** Every config key of the stack (`ns:key`), when known: an unknown `gatelock:*` key is an error. */
  readonly stackKeys?: readonly string[];
}

/**
 * Parse and validate raw config (`{ gateway, origins }` as read from the stack file).
 * Throws `ConfigError` with every problem found; never returns a partially valid model.
 */
export function buildModel(raw: unknown, options: BuildOptions): GatelockModel {
  try {
    return buildChecked(raw, options);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => withOriginName(i, raw)));
    throw e;
  }
}

/** `gatelock:origins[3]…` is about `shipments`: say so, when that origin has a valid name (never another value). */
function withOriginName(issue: ConfigIssue, raw: unknown): ConfigIssue {
  const m = /^gatelock:origins\[(\d+)\]/.exec(issue.path);
  const origins = (raw as { origins?: unknown } | null)?.origins;
  const name = m && Array.isArray(origins) ? (origins[Number(m[1])] as { name?: unknown } | undefined)?.name : undefined;
  return typeof name === "string" && ORIGIN_NAME.test(name) ? { ...issue, origin: name } : issue;
}

function buildChecked(raw: unknown, options: BuildOptions): GatelockModel {
  const keyIssues = checkStackKeys(options.stackKeys ?? [], namedStackKeys(raw));
  const parsed = GatelockConfig.safeParse(raw);
  const oracle = options.ignoreOracle ?? gitIgnoreOracle(options.projectDir ?? process.cwd());
  if (!parsed.success) {
    const shape = zodIssues(parsed.error as ZodError, raw);
    throw new ConfigError([...keyIssues, ...shape, ...checksOfWellFormedOrigins(raw, options.stack, oracle, shape)]);
  }
  const issues: ConfigIssue[] = [...keyIssues, ...checkConfig(parsed.data, options.stack, { ignoreOracle: oracle })];
  const origins = buildOrigins(parsed.data, options.stack);
  issues.push(...variableIssues(origins, issues));
  if (issues.length > 0) throw new ConfigError(issues);
  // Every check passed, so every model was built; one that was not fails here as it did before.
  const identity = gatewayIdentity(parsed.data);
  return toModel(parsed.data, options.stack, shareTunnels(origins.map((o, i) => o ?? toOrigin(parsed.data.origins[i]!, i, options.stack, identity, parsed.data.gateway))));
}

/**
 * When some origin is malformed, the others are still judged, so one shape error does not hide
 * another origin's unsafe trust: the gateway and every origin that parses on its own go through
 * the same checks, and their issues are named by their place in the stack file. An issue already
 * reported at the same key with the same code is not repeated.
 */
function checksOfWellFormedOrigins(raw: unknown, stack: string, oracle: IgnoreOracle, found: readonly ConfigIssue[]): ConfigIssue[] {
  const r = (raw ?? {}) as { gateway?: unknown; origins?: unknown };
  const gateway = GatewayConfig.safeParse(r.gateway);
  if (!gateway.success || !Array.isArray(r.origins)) return [];
  const issues: ConfigIssue[] = [];
  const good: { readonly index: number; readonly origin: ParsedOrigin }[] = [];
  r.origins.forEach((o: unknown, index) => {
    const parsed = OriginConfig.safeParse(o);
    if (parsed.success) good.push({ index, origin: parsed.data });
    else issues.push(...cloudBlockMismatch(o, index));
  });
  const place = (text: string) => text.replace(/gatelock:origins\[(\d+)\]/g, (_, j: string) => `gatelock:origins[${good[Number(j)]?.index ?? j}]`);
  const config = { gateway: gateway.data, origins: good.map((g) => g.origin) } as ParsedConfig;
  for (const i of checkConfig(config, stack, { ignoreOracle: oracle })) issues.push({ ...i, path: place(i.path), message: place(i.message) });
  const seen = new Set(found.map((i) => `${i.code} ${i.path}`));
  return issues.filter((i) => !seen.has(`${i.code} ${i.path}`) && seen.add(`${i.code} ${i.path}`));
}

/** `cloud: AWS` beside a `gcp:` block: the block that does not belong to the cloud meant. */
function cloudBlockMismatch(o: unknown, index: number): ConfigIssue[] {
  const origin = (o ?? {}) as Record<string, unknown>;
  if (typeof origin.cloud !== "string") return [];
  const meant = closest(origin.cloud, ["aws", "gcp", "azure", "local", "other"]);
  if (meant === undefined || meant === origin.cloud) return [];
  return (["aws", "gcp", "azure"] as const)
    .filter((block) => block !== meant && origin[block] !== undefined)
    .map((block) => conflictIssue(configKey(["origins", index, block]), `this origin's cloud looks meant to be \`${meant}\`, not \`${block}\`.`, `remove the \`${block}\` block or change \`cloud\`.`));
}

/**
 * Every origin's model, built once: `undefined` for one whose shape the per-origin checks
 * refused (its model cannot be built). When no check refused anything, every entry is a model.
 */
function buildOrigins(config: ParsedConfig, stack: string): (OriginModel | undefined)[] {
  const identity = gatewayIdentity(config);
  return config.origins.map((o, index) => {
    try {
      return toOrigin(o, index, stack, identity, config.gateway);
    } catch {
      return undefined;
    }
  });
}

/**
 * Gateway variables across every origin whose model can be built, even one with other
 * problems, so that a clash is reported beside them. An issue already reported at the same
 * key with the same code is not repeated.
 */
function variableIssues(origins: readonly (OriginModel | undefined)[], found: readonly ConfigIssue[]): ConfigIssue[] {
  const built = origins.flatMap((origin, index) => (origin ? [{ index, origin }] : []));
  const seen = new Set(found.map((i) => `${i.code} ${i.path}`));
  return checkGatewayVariables(built).filter((i) => !seen.has(`${i.code} ${i.path}`));
}

/** Like `buildModel`, but returns the problems instead of throwing (for the audit). */
export function tryBuildModel(
  raw: unknown,
  options: BuildOptions,
): { ok: true; model: GatelockModel } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, model: buildModel(raw, options) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, error: e };
    throw e;
  }
}

function toModel(config: ParsedConfig, stack: string, origins: readonly OriginModel[]): GatelockModel {
  const g = config.gateway;
  const gateway: GatewayModel = {
    kind: "zuplo",
    label: `zuplo ${g.account}/${g.project}@${g.branch}`,
    account: g.account,
    project: g.project,
    branch: g.branch,
    identity: gatewayIdentity(config),
    environment: {
      ...(g.environment.developerApi ? { developerApi: { apiUrl: g.environment.apiUrl.replace(/\/+$/, ""), redeploy: g.environment.redeploy } } : {}),
      ...(g.environment.dotenv ? { dotenv: { path: g.environment.dotenv } } : {}),
    },
  };
  return { stack, gateway, origins, findings: lintConfig(config) };
}

function toOrigin(o: ParsedOrigin, index: number, stack: string, identity: GatewayIdentity, gateway: ParsedConfig["gateway"]): OriginModel {
  switch (o.method) {
    case "shared-secret":
      return toSharedSecretOrigin(o, index, stack);
    case "federated":
      return toFederatedOrigin(o, index, stack, identity);
    case "service-auth":
      return { ...originBase(o, index), method: "service-auth", cloud: o.cloud, credential: { ...o.serviceAuth }, target: toServiceAuthTarget(o, stack) };
    case "tunnel": {
      const parts = toTunnelParts(o, stack);
      return { ...originBase(o, index), method: "tunnel", cloud: o.cloud, url: `service://${parts.tunnel.service}`, ...parts };
    }
    case "mtls":
      return { ...originBase(o, index), method: "mtls", cloud: o.cloud, ...toMtlsParts(o, stack, gateway), allowOptionalClientCert: o.mtls.dangerouslyAllowOptionalClientCert };
  }
}

function toFederatedOrigin(o: ParsedFederatedOrigin, index: number, stack: string, identity: GatewayIdentity): FederatedOrigin {
  const target: FederatedTarget =
    o.cloud === "aws" ? toAwsFederatedTarget(o, stack) : o.cloud === "gcp" ? toGcpFederatedTarget(o, stack) : o.cloud === "azure" ? toAzureFederatedTarget(o, stack) : { cloud: "other" };
  return { ...originBase(o, index), method: "federated", cloud: o.cloud, trust: federatedTrust(o, identity), target };
}

/** What every origin has, whatever its method. */
function originBase(o: ParsedOrigin, index: number): OriginBase {
  const url = "url" in o ? o.url : undefined;
  return { name: o.name, key: configKey(["origins", index]), ...(url ? { url } : {}) };
}

function toSharedSecretOrigin(o: ParsedSharedSecretOrigin, index: number, stack: string): SharedSecretOrigin {
  const variable = o.sharedSecret.variable ?? defaultVariable(o.name);
  return {
    ...originBase(o, index),
    method: "shared-secret",
    cloud: o.cloud,
    sharedSecret: { ...o.sharedSecret, variable },
    store: toStore(o, stack, variable),
  };
}

function toStore(o: ParsedSharedSecretOrigin, stack: string, variable: string): SecretStore {
  const slug = `${stackSlug(stack)}-${o.name}`;
  switch (o.cloud) {
    case "aws": {
      const a = o.aws!;
      return {
        cloud: "aws",
        region: a.region,
        readers: a.readers,
        secretName: a.secretName ?? `gatelock/${stackSlug(stack)}/${o.name}/shared-secret`,
        ...(a.kmsKeyId ? { kmsKeyId: a.kmsKeyId } : {}),
        ...(a.recoveryWindowInDays !== undefined ? { recoveryWindowInDays: a.recoveryWindowInDays } : {}),
      };
    }
    case "gcp": {
      const g = o.gcp!;
      return {
        cloud: "gcp",
        project: g.project,
        readers: g.readers,
        secretId: g.secretId ?? `gatelock-${slug}-shared-secret`,
        ...(g.locations ? { locations: g.locations } : {}),
      };
    }
    case "azure": {
      const z = o.azure!;
      return {
        cloud: "azure",
        resourceGroup: z.resourceGroup,
        vault: z.vault,
        readers: z.readers,
        secretName: z.secretName ?? `gatelock-${slug}-shared-secret`.slice(0, 127),
      };
    }
    case "local":
      return { cloud: "local", dotenv: localStoreFile(o.name), variable: `${variable}_ACCEPTED` };
  }
}

export { CONFIG_NAMESPACE };
