/**
 * The seam between the stack file and the components: each cloud module says, per method,
 * how one origin's stack config becomes that component's typed args. The component checks
 * them with the model's own checks, so a stack file is nothing but args written in YAML.
 */
import * as pulumi from "@pulumi/pulumi";
import { secretConfigValue } from "./config-secrets";
import type { GatewayArgs } from "../component/checked-origin";
import type { GatewayCertificate } from "../gateway/certificates";
import type { GatewayVariable } from "../gateway/environment";
import type { MtlsGatewayArgs, MtlsOriginArgsBase } from "../mtls/origin-args";
import type { TunnelOriginArgsBase, TunnelService } from "../tunnel/origin-args";
import { tunnelNameOf } from "../model/tunnel/target";
import type { Cloud, Method, ParsedOrigin } from "../model/config";
import type { GatelockModel, OriginModel } from "../model/model";
import type { Finding } from "../model/safety";
import type { GcpTokenKind } from "../model/service-auth/target";
import type { GcpGatewayServiceAccount } from "../gcp/gateway-service-account";

export interface OriginDeployment {
  readonly origin: OriginModel;
  /** The component that holds the origin's resources. */
  readonly component: OriginComponent;
  /** Variables the gateway needs for this origin. */
  readonly variables: readonly GatewayVariable[];
  /** Stack outputs for this origin (no secrets). */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

export interface BuildContext {
  /** The gateway the stack's federated origins trust. */
  readonly gateway: GatewayArgs;
  /** The gateway's Zuplo account, project and branch (an mTLS certificate's subject names them). */
  readonly zuplo: MtlsGatewayArgs;
  /** The Pulumi project's directory (local dotenv files are written there). */
  readonly projectDir: string;
  /** Resource options for the origin's component. */
  readonly opts?: pulumi.ComponentResourceOptions;
  /** The stack's IAM OIDC provider for the gateway's issuer (AWS federated origins that do not adopt one). */
  readonly oidcProviderArn?: pulumi.Input<string>;
  /** The stack (environment) the program deploys. */
  readonly stack?: string;
  /** The connector token of each tunnel and its rotation generation, by tunnel name. */
  readonly tunnelTokens?: Readonly<Record<string, { readonly token: pulumi.Input<string>; readonly generation: pulumi.Input<number>; readonly alsoCarries?: readonly TunnelService[] }>>;
  /** The gateway's GCP service account per token kind (GCP service-auth origins share it). */
  readonly gcpGatewayServiceAccounts?: Partial<Record<GcpTokenKind, GcpGatewayServiceAccount>>;
}

/** One origin's stack config → its component. */
export type OriginBuilder = (origin: ParsedOrigin, ctx: BuildContext) => OriginComponent;

/** What every per-origin component offers the program. */
export interface OriginComponent extends pulumi.ComponentResource {
  /** Variables the gateway needs for this origin (values are Pulumi secrets where secret). */
  readonly gatewayVariables: readonly GatewayVariable[];
  /** What a tunnel origin's tunnel must carry: its services-configuration entry. */
  readonly tunnelService?: TunnelService;
  /** On a tunnel connector: every service of the tunnel it carries (its own and `alsoCarries`). */
  readonly tunnelServices?: readonly TunnelService[];
  /** Client certificates the gateway presents to this origin (mTLS), for its certificate store. */
  readonly gatewayCertificates?: readonly GatewayCertificate[];
  /** What the stack outputs show for this origin; never a secret. */
  readonly summary: Record<string, pulumi.Input<unknown>>;
  /** Warnings about the component's args. */
  readonly findings: readonly Finding[];
}

/** One method on one cloud: its builder, loaded with its component the first time a stack needs it. */
export interface MethodEntry {
  /**
   * A package the component needs beyond the cloud's SDK (Azure service auth: `@pulumi/azuread`),
   * named when it is missing.
   */
  readonly pkg?: string;
  /** Loads the component (and the SDK submodules it imports) and returns its builder. */
  readonly load: () => Promise<OriginBuilder>;
}

/**
 * A method entry that imports its component's module when first needed, then builds with what
 * the module exports: `lazyMethod(() => import("./tunnel-origin"), ({ AwsTunnelOrigin }) => (raw, ctx) => …)`.
 */
export function lazyMethod<M>(load: () => Promise<M>, builder: (module: M) => OriginBuilder, pkg?: string): MethodEntry {
  return { ...(pkg ? { pkg } : {}), load: async () => builder(await load()) };
}

export interface CloudModule {
  readonly cloud: Cloud;
  /**
   * Per method, loaded only for a stack with such an origin: a shared-secret stack never loads
   * the ECS, load balancer, TLS or Entra modules that other methods need.
   */
  readonly methods: Partial<Record<Method, MethodEntry>>;
  /** Resources the stack's origins on this cloud share, created once before them. */
  readonly shared?: (model: GatelockModel, ctx: BuildContext) => Promise<Partial<BuildContext>>;
  /** Stack-level facts about an origin for its stack outputs (what only the program knows). */
  readonly outputs?: (origin: OriginModel) => Record<string, unknown>;
}

/** The shared-secret settings of a parsed origin, as component args. */
export function sharedSecretArgs(o: Extract<ParsedOrigin, { method: "shared-secret" }>) {
  return { ...o.sharedSecret, ...(o.url !== undefined ? { url: o.url } : {}) };
}

/** The trust settings of a parsed federated origin, as component args. */
export function federatedArgs(o: Extract<ParsedOrigin, { method: "federated" }>, gateway: GatewayArgs) {
  return { gateway, ...o.federated, ...(o.url !== undefined ? { url: o.url } : {}) };
}

/** The credential settings and URL of a parsed service-auth origin, as component args. */
export function serviceAuthArgs(o: Extract<ParsedOrigin, { method: "service-auth" }>) {
  return { ...o.serviceAuth, ...(o.url !== undefined ? { url: o.url } : {}) };
}

/**
 * The PKI settings, gateway and URL of a parsed mTLS origin, as component args. A CA brought in
 * the stack file has its key in a secret config key, read here (the program has checked it is
 * there and encrypted, `ownCaKeyIssues`).
 */
export function mtlsArgs(o: Extract<ParsedOrigin, { method: "mtls" }>, ctx: BuildContext): MtlsOriginArgsBase {
  const { ca, ...mtls } = o.mtls;
  return {
    gateway: ctx.zuplo,
    ...mtls,
    ...(ca ? { ca: { certificate: ca.certificate, key: secretConfigValue(ca.keySecret), ...(ca.previousCertificate !== undefined ? { previousCertificate: ca.previousCertificate } : {}) } } : {}),
    ...(o.url !== undefined ? { url: o.url } : {}),
  };
}

/**
 * A parsed tunnel origin's tunnel settings as component args, with the token of the tunnel the
 * program created for it (the builder adds its connector target's block).
 */
export function tunnelOriginArgs(o: Extract<ParsedOrigin, { method: "tunnel" }>, ctx: BuildContext): TunnelOriginArgsBase {
  const tunnelName = tunnelNameOf(o, ctx.stack ?? pulumi.getStack());
  const tunnel = ctx.tunnelTokens?.[tunnelName];
  if (tunnel === undefined) throw new TypeError(`gatelock: no tunnel \`${tunnelName}\` was created for origin ${o.name}`);
  return { tunnel: { ...o.tunnel, token: tunnel.token, tokenGeneration: tunnel.generation, ...(tunnel.alsoCarries?.length ? { alsoCarries: tunnel.alsoCarries } : {}) } };
}

/** Narrows a parsed origin to the method a builder handles (the program dispatches by method). */
export function expectMethod<M extends Method>(o: ParsedOrigin, method: M): Extract<ParsedOrigin, { method: M }> {
  if (o.method !== method) throw new TypeError(`gatelock: a ${method} builder got a ${o.method} origin`);
  return o as Extract<ParsedOrigin, { method: M }>;
}
