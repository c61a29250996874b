/** The GCP components as the package publishes them: `gatelock:index:Gcp…`. */
import type * as pulumi from "@pulumi/pulumi";
import { GcpFederatedOrigin as Federated, type GcpFederatedOriginArgs as FederatedArgs } from "../gcp/federated-origin";
import {
  GcpGatewayServiceAccount as GatewayServiceAccount,
  type GcpGatewayServiceAccountArgs as GatewayServiceAccountArgs,
  type GcpGatewayServiceAccountDescription as DescriptionArgs,
} from "../gcp/gateway-service-account";
import { GcpMtlsOrigin as Mtls, type GcpMtlsOriginArgs as MtlsArgs, type GcpMtlsTargetHttpsProxyArgs } from "../gcp/mtls-origin";
import { GcpServiceAuthOrigin as ServiceAuth, type GcpServiceAuthOriginArgs as ServiceAuthArgs } from "../gcp/service-auth-origin";
import { GcpSharedSecretOrigin as SharedSecret, type GcpSharedSecretOriginArgs } from "../gcp/shared-secret-origin";
import { GcpTunnelOrigin as Tunnel, type GcpTunnelOriginArgs as TunnelArgs } from "../gcp/tunnel-origin";
import { ServiceAuthCredentialConfig } from "../model/service-auth/config";
import type { CredentialArgs } from "../service-auth/origin-args";
import type { GcpTokenKind } from "./gcp-token-kind";
import type { GcpMtlsClientValidationMode, MtlsOriginSettings } from "./mtls";
import {
  type Finding,
  type GatewayCertificate,
  type GatewayVariable,
  type MtlsPkiSummary,
  packageCertificates,
  packageFindings,
  packageMtlsSummary,
  packageTunnelService,
  packageVariables,
  type TunnelService,
} from "./outputs";
import type { TunnelOriginSettings } from "./tunnel";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A shared-secret origin on GCP: the secret in Secret Manager, with `secretAccessor` on that
 * secret alone for each of the origin's service accounts.
 */
export class GcpSharedSecretOrigin extends packageBase<GcpSharedSecretOriginArgs>(SharedSecret) {
  static readonly packageType = "gatelock:index:GcpSharedSecretOrigin";
  /** Resource name of the secret (`projects/<project>/secrets/<id>`). */
  declare readonly secretName: pulumi.Output<string>;
  /** The service accounts that may read the secret, as checked. */
  declare readonly readers: pulumi.Output<string[]>;
  /** The secret's rotation generation (increases by one at every rotation). */
  declare readonly generation: pulumi.Output<number>;
  /** The variables the gateway needs (the secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, SharedSecret);
    publish<GcpSharedSecretOrigin>(this, {
      secretName: built.secretName,
      readers: built.readers,
      generation: built.generation,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/** The Cloud Run service the gateway's service account may invoke, and nothing else. */
export interface GcpCloudRun {
  /** Name of the service (it must require authentication). */
  readonly service: pulumi.Input<string>;
  /** Region of the service. */
  readonly location: string;
  /** Project of the service (default: the origin's `project`). */
  readonly project?: string;
  /** Audience of the ID token the gateway sends: the service's run.app URL or a custom audience (default: `url`). */
  readonly audience?: pulumi.Input<string>;
  /** Invoker role (default `roles/run.invoker`); administrator roles are refused. */
  readonly role?: string;
}

/** `GcpFederatedOrigin`'s args, with its Cloud Run block as a named type (the schema has no anonymous ones). */
export interface GcpFederatedOriginArgs extends FederatedArgs {
  /** The Cloud Run service the gateway's service account may invoke, and nothing else. */
  readonly cloudRun: GcpCloudRun;
}

/**
 * A federated origin on GCP: a workload identity pool with an OIDC provider for the gateway's
 * issuer whose attribute condition pins the gateway; a service account only the pinned
 * principal may impersonate; and the invoker role on the Cloud Run service for it alone.
 */
export class GcpFederatedOrigin extends packageBase<GcpFederatedOriginArgs>(Federated) {
  static readonly packageType = "gatelock:index:GcpFederatedOrigin";
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  declare readonly workloadIdentityProvider: pulumi.Output<string>;
  /** Email of the service account the gateway impersonates. */
  declare readonly serviceAccountEmail: pulumi.Output<string>;
  /** Who may impersonate the service account. */
  declare readonly impersonators: pulumi.Output<string[]>;
  /** Audience of the ID token the gateway sends to Cloud Run. */
  declare readonly audience: pulumi.Output<string>;
  /** The variables the gateway needs (provider, service account, audience, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Federated);
    publish<GcpFederatedOrigin>(this, {
      workloadIdentityProvider: built.workloadIdentityProvider,
      serviceAccountEmail: built.serviceAccountEmail,
      impersonators: built.impersonators,
      audience: built.audience,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * `GcpGatewayServiceAccount`'s args, as another language passes them: the key rotation as flat
 * settings with their defaults, like every origin's. (Restated, not `Omit`ted: the schema
 * analyzer reads no `Omit<…>`.)
 */
export interface GcpGatewayServiceAccountArgs extends CredentialArgs {
  /** Project of the account (a GCP project ID, e.g. `acme-prod`). */
  readonly project: string;
  /** Account ID (6-30 lower-case letters, digits and dashes; `gl-<stack>-svc` / `gl-<stack>-jwt` in the stack-file program). */
  readonly accountId: string;
  /** Which Zuplo policy uses its key: `id-token` (GCP Service Auth) or `self-signed-jwt` (GCP JWT). */
  readonly token: GcpTokenKind;
}

// Every arg of the TypeScript component is restated above (its `rotation` as the flat settings):
// a compile error names one that is not.
const restatedAccount: Record<Exclude<keyof GatewayServiceAccountArgs, keyof GcpGatewayServiceAccountArgs>, never> = {};
void restatedAccount;

/**
 * The gateway's service account for one kind of GCP token, and its key, rotated in two slots.
 * One per stack and token kind (Zuplo's runtime keeps the first service account it parses for
 * a policy type): describe it in the `serviceAccount` of every `GcpServiceAuthOrigin` of that
 * kind, with its settings and its `email` and `serviceAccountJson` outputs.
 */
export class GcpGatewayServiceAccount extends packageBase<GatewayServiceAccountArgs>(GatewayServiceAccount) {
  static readonly packageType = "gatelock:index:GcpGatewayServiceAccount";
  /** `<accountId>@<project>.iam.gserviceaccount.com`: a `GcpServiceAuthOrigin`'s `serviceAccount.email`. */
  declare readonly email: pulumi.Output<string>;
  /** `serviceAccount:<email>`, for IAM bindings you grant the account yourself. */
  declare readonly member: pulumi.Output<string>;
  /** The current key file as the single line Zuplo's runtime parses (a secret): a `GcpServiceAuthOrigin`'s `serviceAccount.serviceAccountJson`. */
  declare readonly serviceAccountJson: pulumi.Output<string>;
  /** How many times the key has rotated. */
  declare readonly keyGeneration: pulumi.Output<number>;

  constructor(name: string, args: GcpGatewayServiceAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, accountArgs(args), opts);
    const built = builtAs(this, GatewayServiceAccount);
    publish<GcpGatewayServiceAccount>(this, { email: built.email, member: built.member, serviceAccountJson: built.serviceAccountJson, keyGeneration: built.keyGeneration });
  }
}

/** The TypeScript component's args: the rotation settings, with the stack file's defaults for those not given. */
function accountArgs(args: GcpGatewayServiceAccountArgs): GatewayServiceAccountArgs {
  const { rotateAfterDays, overlapDays, rotation, project, accountId, token } = args;
  const given = Object.fromEntries(Object.entries({ rotateAfterDays, overlapDays, rotation }).filter(([, v]) => v !== undefined));
  // Only the defaults come from the stack file's schema: the values are checked, as in
  // TypeScript, by each origin the account is given to.
  return { project, accountId, token, rotation: { ...ServiceAuthCredentialConfig.parse({}), ...given } };
}

/**
 * A `GcpGatewayServiceAccount`, described for a `GcpServiceAuthOrigin`: the settings it was
 * given, which the origin is checked with, and its `email` and `serviceAccountJson` outputs.
 */
export interface GcpGatewayServiceAccountDescription extends DescriptionArgs {
  /** Which Zuplo policy uses its key, as given to the `GcpGatewayServiceAccount`. */
  readonly token: GcpTokenKind;
}

/**
 * `GcpServiceAuthOrigin`'s args, as another language passes them: the gateway's service account
 * as a description (its settings and outputs), since a package component cannot take another
 * package component's resource as an arg.
 */
export interface GcpServiceAuthOriginArgs extends ServiceAuthArgs {
  /**
   * The gateway's service account for this kind of token (a `GcpGatewayServiceAccount`, one per
   * stack and token kind, shared by every origin of that kind): its `project`, `accountId`,
   * `token` and rotation settings as given to it, and its `email` and `serviceAccountJson` outputs.
   */
  readonly serviceAccount: GcpGatewayServiceAccountDescription;
}

/**
 * A service-auth origin on GCP: the gateway's service account gets the invoker role on this
 * origin's Cloud Run service alone; for Cloud Endpoints / API Gateway, `endpointsSecurity` is
 * the OpenAPI security definition the service must carry. The gateway gets the account's
 * current key.
 */
export class GcpServiceAuthOrigin extends packageBase<ServiceAuthArgs>(ServiceAuth) {
  static readonly packageType = "gatelock:index:GcpServiceAuthOrigin";
  /** Email of the gateway's service account. */
  declare readonly serviceAccountEmail: pulumi.Output<string>;
  /** The token's audience (Cloud Run, Endpoints), or "" for scopes. */
  declare readonly audience: string;
  /**
   * For `endpoints`: the OpenAPI 2.0 security to merge into the service's document
   * (`securityDefinitions`, `security`). Typed `Any` in the schema: its keys (`x-google-issuer`, …)
   * are no SDK field names.
   */
  declare readonly endpointsSecurity?: any;
  /** The variables the gateway needs (the account's key, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpServiceAuthOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, ServiceAuth);
    publish<GcpServiceAuthOrigin>(this, {
      serviceAccountEmail: built.serviceAccountEmail,
      audience: built.audience,
      ...(built.endpointsSecurity !== undefined ? { endpointsSecurity: built.endpointsSecurity } : {}),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * `GcpMtlsOrigin`'s args, as another language passes them: the PKI settings, and the stack
 * file's `gcp` block of an mTLS origin, with its choices as enums. (Restated, not `Omit`ted: the
 * schema analyzer reads no `Omit<…>`.)
 */
export interface GcpMtlsOriginArgs extends MtlsOriginSettings {
  /** Project ID that holds the trust config, the policy and the proxy. */
  readonly project: string;
  /**
   * The policy's client validation: `REJECT_INVALID` (default). `ALLOW_INVALID_OR_MISSING_CLIENT_CERT`
   * needs `dangerouslyAllowOptionalClientCert`.
   */
  readonly clientValidationMode?: GcpMtlsClientValidationMode;
  /**
   * A global target HTTPS proxy gatelock creates with the policy attached. Without it, attach the
   * `serverTlsPolicyId` output to your own proxy: until then nothing checks the certificate.
   */
  readonly targetHttpsProxy?: GcpMtlsTargetHttpsProxyArgs;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedMtls: Record<Exclude<keyof MtlsArgs, keyof GcpMtlsOriginArgs>, never> = {};
void restatedMtls;

/**
 * An mTLS origin behind a GCP external Application Load Balancer (method 4): a Certificate
 * Manager trust config holding the stack's CA(s) and a ServerTlsPolicy that rejects any
 * connection without a client certificate they issued, attached to a global target HTTPS proxy
 * gatelock creates, or given to you to attach (`serverTlsPolicyId`).
 */
export class GcpMtlsOrigin extends packageBase<MtlsArgs>(Mtls) {
  static readonly packageType = "gatelock:index:GcpMtlsOrigin";
  /** ID of the trust config (`projects/<project>/locations/global/trustConfigs/<name>`). */
  declare readonly trustConfigId: pulumi.Output<string>;
  /** ID of the ServerTlsPolicy: what a target HTTPS proxy's `serverTlsPolicy` takes. */
  declare readonly serverTlsPolicyId: pulumi.Output<string>;
  /** Self link of the target HTTPS proxy (with `targetHttpsProxy`). */
  declare readonly targetHttpsProxySelfLink?: pulumi.Output<string>;
  /** The CA and the gateway's certificate: subjects, expiry, generations; never a key. */
  declare readonly pki: MtlsPkiSummary;
  /** The variables the gateway needs (the certificate's name, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** The client certificate the gateway presents, with its key (a secret): pass them to `ZuploEnvironment`'s `certificates`. */
  declare readonly gatewayCertificates: GatewayCertificate[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Mtls);
    publish<GcpMtlsOrigin>(this, {
      trustConfigId: built.trustConfigId,
      serverTlsPolicyId: built.serverTlsPolicyId,
      ...(built.targetHttpsProxySelfLink ? { targetHttpsProxySelfLink: built.targetHttpsProxySelfLink } : {}),
      pki: packageMtlsSummary(built.summary),
      gatewayVariables: packageVariables(built.gatewayVariables),
      gatewayCertificates: packageCertificates(built.gatewayCertificates),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * `GcpTunnelOrigin`'s args, as another language passes them: the tunnel, and the stack file's
 * `gcp` block of a tunnel origin. (Restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface GcpTunnelOriginArgs extends TunnelOriginSettings {
  /** Project ID that holds the connector, its service account and the token's secret. */
  readonly project: string;
  /** Region of the Cloud Run worker pool (e.g. `europe-west1`): where the origin's subnetwork is. */
  readonly region: string;
  /** The VPC network the origin is in (name or self link; usually another resource's output). */
  readonly network: pulumi.Input<string>;
  /** The subnetwork in `region` the connector's Direct VPC egress takes its addresses from (name or self link). */
  readonly subnetwork: pulumi.Input<string>;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedTunnel: Record<Exclude<keyof TunnelArgs, keyof GcpTunnelOriginArgs>, never> = {};
void restatedTunnel;

/**
 * A tunnel origin's connector on GCP (method 5): a Cloud Run worker pool (no HTTP endpoint,
 * nothing listens) running the connector image with Direct VPC egress into the origin's
 * network, as a service account of its own that may read the tunnel's token (a `GatewayTunnel`'s)
 * in Secret Manager and nothing else.
 */
export class GcpTunnelOrigin extends packageBase<TunnelArgs>(Tunnel) {
  static readonly packageType = "gatelock:index:GcpTunnelOrigin";
  /** Email of the connector's service account. */
  declare readonly serviceAccountEmail: pulumi.Output<string>;
  /** Resource name of the token's secret (`projects/<number>/secrets/<id>`). */
  declare readonly secretName: pulumi.Output<string>;
  /** The secret version the connector runs with (a new one on every token rotation). */
  declare readonly tokenVersion: pulumi.Output<string>;
  /** Name of the worker pool. */
  declare readonly workerPoolName: pulumi.Output<string>;
  /** The worker pool revision created last (a new one on every token rotation). */
  declare readonly latestRevision: pulumi.Output<string>;
  /** What the tunnel's services configuration needs for this origin: pass it to `GatewayTunnelServices`' `services`. */
  declare readonly tunnelService: pulumi.Output<TunnelService>;
  /** The variables the gateway needs (the origin's `service://` URL): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Tunnel);
    publish<GcpTunnelOrigin>(this, {
      serviceAccountEmail: built.serviceAccountEmail,
      secretName: built.secretName,
      tokenVersion: built.tokenVersion,
      workerPoolName: built.workerPoolName,
      latestRevision: built.latestRevision,
      tunnelService: packageTunnelService(this, built.tunnelService),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
